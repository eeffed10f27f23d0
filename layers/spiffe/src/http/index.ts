/**
 * http: the Lambda side of the HTTP API (API Gateway HTTP API, payload format 2.0): a Lambda chain
 * (middy's before / after / onError steps, without middy) per function over the routes of the API
 * contract (`contract/`), bound to their use cases, one middleware that maps error codes to statuses
 * through one table, JSON body parsing with a size cap, and the credential / admin-principal readers.
 */
export { createHttpHandler, createHttpRouter, type HttpHandler, type HttpRouter, type HttpRouterOptions } from "./create-http-handler.js";
export { createEmfMetrics, type EmfMetrics, type RequestMetrics } from "./emf-metrics.js";
export { httpErrorHandler } from "./http-error-handler.js";
export { readJsonBody } from "./json-body.js";
export { adminActorOf, bearerTokenOf, joinRequestOf, optionalBearerTokenOf } from "./request-auth.js";
export { ACTIVE_X509_AUTHORITY_HEADER, binaryResponse, jsonResponse, textResponse } from "./responses.js";
export { HTTP_STATUS_BY_CODE, RETRY_AFTER_SECONDS_BY_CODE, statusForCode } from "./status-table.js";
export { bindRoute, type HttpEvent, type HttpResult, type Route, type RouteAnswer } from "./types.js";
