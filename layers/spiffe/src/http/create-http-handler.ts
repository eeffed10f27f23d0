import type { Logger } from "../logger.js";
import middy from "@middy/core";
import { RouteNotFoundError } from "../errors.js";
import { httpErrorHandler } from "./http-error-handler.js";
import { jsonBody } from "./json-body.js";
import type { HttpEvent, HttpResult, Route } from "./types.js";

/** A Lambda handler for API Gateway HTTP API events. */
export type HttpHandler = (event: HttpEvent, context?: unknown) => Promise<HttpResult>;

/**
 * A middy chain over a set of routes: error mapping, JSON body parsing with the route's size cap,
 * then the one call the route key names.
 */
export function createHttpHandler(routes: readonly Route[], options: { logger: Pick<Logger, "info" | "error"> }): HttpHandler {
  const byKey = new Map(routes.map((r) => [r.routeKey, r]));
  const routeOf = (event: HttpEvent): Route => {
    const route = byKey.get(event.routeKey);
    if (!route) throw new RouteNotFoundError(`http: no route ${event.routeKey}`);
    return route;
  };
  const chain = middy<HttpEvent, HttpResult>()
    .use(httpErrorHandler(options))
    .use({
      name: "routeBody",
      before: async (request) => {
        const route = routeOf(request.event);
        await jsonBody({ maxBytes: route.maxBodyBytes }).before!(request);
      },
    })
    .handler(async (event) => routeOf(event).handle(event));
  return (event, context) => chain(event, (context ?? {}) as never);
}
