import { createHttpHandler, type BundlePublisher, type HttpHandler, type TesseraRuntime } from "../../layers/spiffe/src/index.js";
import { adminRoutes } from "./routes.js";

/**
 * The admin function over a runtime: a middy chain around the admin use cases. `publishers` are
 * where an emergency rotation publishes the bundle at once (S3 and the trust anchor in AWS).
 */
export function createAdminHandler(runtime: TesseraRuntime, publishers: readonly BundlePublisher[] = []): HttpHandler {
  const rotation = { ...runtime, publishers };
  return createHttpHandler(adminRoutes({ ...runtime.admin, rotation }, runtime.revocation), { logger: runtime.logger });
}
