import { createHttpHandler, type EmfMetrics, type HttpHandler, type Route } from "#tessera/contract";
import type { BundlePublisher } from "#tessera/issuer";
import type { TesseraRuntime } from "#tessera/aws";
import { adminRoutes } from "./routes.js";

/**
 * The admin routes over a runtime. `publishers` are where an emergency rotation publishes the
 * bundle at once (S3 and the trust anchor in AWS; none for `tessera dev`).
 */
export function adminRoutesOf(runtime: TesseraRuntime, publishers: readonly BundlePublisher[] = []): Route[] {
  return adminRoutes({ ...runtime.admin, rotation: { ...runtime, publishers } }, runtime.revocation);
}

/** The admin function over a runtime (`metrics`: EMF in Lambda): a middy chain around the admin use cases. */
export function createAdminHandler(
  runtime: TesseraRuntime,
  publishers: readonly BundlePublisher[] = [],
  metrics?: EmfMetrics,
): HttpHandler {
  return createHttpHandler(adminRoutesOf(runtime, publishers), { logger: runtime.logger, ...(metrics ? { metrics } : {}) });
}
