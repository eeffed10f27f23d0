import { createHttpHandler, type EmfMetrics, type HttpHandler } from "#tessera/contract";
import type { TesseraRuntime } from "#tessera/aws";
import { issueRoutes } from "./routes.js";

/** The issue function over a runtime (`metrics`: EMF in Lambda): a Lambda chain around the SVID use cases and the bundle. */
export function createIssueHandler(runtime: TesseraRuntime, metrics?: EmfMetrics): HttpHandler {
  return createHttpHandler(issueRoutes(runtime.issuer), { logger: runtime.logger, ...(metrics ? { metrics } : {}) });
}
