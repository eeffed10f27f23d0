import { createHttpHandler, type HttpHandler, type TesseraRuntime } from "../../layers/spiffe/src/index.js";
import { adminRoutes } from "./routes.js";

/** The admin function over a runtime: a middy chain around the admin use cases. */
export function createAdminHandler(runtime: TesseraRuntime): HttpHandler {
  return createHttpHandler(adminRoutes(runtime.admin, runtime.revocation), { logger: runtime.logger });
}
