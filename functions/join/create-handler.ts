import { createHttpHandler, type EmfMetrics, type HttpHandler } from "#tessera/contract";
import type { TesseraRuntime } from "#tessera/aws";
import { joinRoutes } from "./routes.js";

/** The join function over a runtime (`metrics`: EMF in Lambda): a Lambda chain around `joinBot` / `renewCredential`. */
export function createJoinHandler(runtime: TesseraRuntime, metrics?: EmfMetrics): HttpHandler {
  return createHttpHandler(joinRoutes(runtime.issuer), { logger: runtime.logger, ...(metrics ? { metrics } : {}) });
}
