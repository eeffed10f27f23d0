import * as v from "valibot";
import { defineRoute } from "#tessera/contract";

/**
 * `POST /v1/admin/console/login-codes`: a one-time console login link. Only `tessera dev`'s local
 * front answers it (with the admin token), so it is not one of the API's Lambda routes.
 */
export const consoleLoginCodeRoute = defineRoute({
  method: "POST",
  path: "/v1/admin/console/login-codes",
  auth: "iam",
  status: 201,
  maxBodyBytes: 0,
  request: {},
  response: v.object({ login_path: v.string() }),
});
