import { createHttpHandler, type HttpHandler, type TesseraRuntime } from "../../layers/spiffe/src/index.js";
import { joinRoutes } from "./routes.js";

/** The join function over a runtime: a middy chain around `joinBot` / `renewCredential`. */
export function createJoinHandler(runtime: TesseraRuntime): HttpHandler {
  return createHttpHandler(joinRoutes(runtime.issuer), { logger: runtime.logger });
}
