import * as v from "valibot";
import { RequestInvalidError } from "../errors.js";
import type { RequestOf, RouteDescriptor, WireObjectSchema } from "./route-descriptor.js";

/** A request as it arrives: the JSON body (an object), the query string and the path parameters. */
export interface RawRequest {
  body: Record<string, unknown>;
  query: Record<string, string | undefined>;
  params: Record<string, string | undefined>;
}

const MODULE_PREFIX = /^[a-z0-9]+: /;

/**
 * Check one object of the wire against its schema: the typed output, or `RequestInvalidError` naming
 * the first wrong field (the schema's own message when it names its module, `admin: ...`).
 */
export function parseWireObject<S extends WireObjectSchema>(schema: S, value: Record<string, unknown>, where = "body"): v.InferOutput<S> {
  return check(schema, value, where) as v.InferOutput<S>;
}

function check(schema: WireObjectSchema | undefined, value: Record<string, unknown>, where: string): Record<string, unknown> {
  if (schema === undefined) return {};
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const field = issue.path?.map((p) => String(p.key)).join(".") ?? where;
  throw new RequestInvalidError(
    MODULE_PREFIX.test(issue.message) ? issue.message : `http: ${field} is invalid (${issue.expected ?? "malformed"})`,
  );
}

/**
 * Check a request against its route's schemas: `RequestInvalidError` (400) naming the wire field
 * for the first field of the wrong type. A body its use case checks (and audits) passes as it is.
 */
export function parseRequest<D extends RouteDescriptor>(descriptor: D, raw: RawRequest): RequestOf<D> {
  const { request } = descriptor;
  return {
    body: request.bodyCheckedByUseCase ? raw.body : check(request.body, raw.body, "body"),
    query: check(request.query, raw.query, "query"),
    params: check(request.params, raw.params, "path"),
  } as RequestOf<D>;
}
