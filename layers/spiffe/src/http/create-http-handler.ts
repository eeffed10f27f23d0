import type { Logger } from "../logger.js";
import { compileRoutes, type RouteMatch } from "../contract/compile-routes.js";
import { parseRequest } from "../contract/parse-request.js";
import { RouteNotFoundError } from "../errors.js";
import type { EmfMetrics, RequestMetrics } from "./emf-metrics.js";
import { httpErrorHandler } from "./http-error-handler.js";
import { readJsonBody } from "./json-body.js";
import { createLambdaChain, type LambdaContextLike, type Middleware } from "./lambda-chain.js";
import { jsonResponse } from "./responses.js";
import type { HttpEvent, HttpResult, Route } from "./types.js";

/** A Lambda handler for API Gateway HTTP API events. */
export type HttpHandler = (event: HttpEvent, context?: unknown) => Promise<HttpResult>;

/** Options of the router: its logger, and in Lambda the EMF metrics. */
export interface HttpRouterOptions {
  logger: Pick<Logger, "info" | "error" | "addContext">;
  metrics?: EmfMetrics;
}

async function answer(route: Route, event: HttpEvent, metrics: RequestMetrics | undefined): Promise<HttpResult> {
  const { descriptor } = route;
  const body = readJsonBody(event, descriptor.maxBodyBytes);
  event.json = body;
  const request = parseRequest(descriptor, { body, query: event.queryStringParameters ?? {}, params: event.pathParameters ?? {} });
  const result = await route.handle(request, event);
  if (descriptor.successMetric) metrics?.succeeded(descriptor.successMetric);
  if ("raw" in descriptor.response) return result as HttpResult;
  return jsonResponse(descriptor.status, result, descriptor.headers ? { ...descriptor.headers } : {});
}

/** A handler over a set of routes, and the lookup by method and path that a plain HTTP server (`tessera dev`) needs. */
export interface HttpRouter {
  handle: HttpHandler;
  /** The route for a method and a path, with its decoded path parameters. */
  match(method: string, path: string): RouteMatch<Route> | undefined;
}

/**
 * One Lambda chain over a set of routes, built once: error mapping around one lookup by route key,
 * the JSON body with the route's size cap, the route's schemas, then the one call it names.
 */
export function createHttpRouter(routes: readonly Route[], options: HttpRouterOptions): HttpRouter {
  const compiled = compileRoutes(routes, (route) => route.descriptor);
  const metrics = options.metrics?.metrics;
  const middlewares: Middleware<HttpEvent, HttpResult>[] = [
    {
      before: (request) => {
        if (request.context.awsRequestId) options.logger.addContext?.(request.context);
      },
    },
    httpErrorHandler({ logger: options.logger, ...(metrics ? { metrics } : {}) }),
  ];
  if (options.metrics) middlewares.push(options.metrics.middleware);
  const chain = createLambdaChain(middlewares, async (event: HttpEvent) => {
    const route = compiled.byKey(event.routeKey);
    if (!route) throw new RouteNotFoundError(`http: no route ${event.routeKey}`);
    return answer(route, event, metrics);
  });
  return { handle: (event, context) => chain(event, (context ?? {}) as LambdaContextLike), match: compiled.match };
}

/** The Lambda handler of `createHttpRouter`. */
export function createHttpHandler(routes: readonly Route[], options: HttpRouterOptions): HttpHandler {
  return createHttpRouter(routes, options).handle;
}
