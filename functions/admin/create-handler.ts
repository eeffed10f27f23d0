import { createHttpHandler, type EmfMetrics, type HttpHandler, type Route } from "#tessera/contract";
import type { BundlePublisher } from "#tessera/issuer";
import type { PublisherNames, TesseraRuntime } from "#tessera/aws";
import { adminRoutes } from "./routes.js";

/**
 * Where an admin change (an emergency rotation, a revocation) is published: at once by `publishers`
 * (`tessera dev`, none), or, in AWS, by the rotate function when the table's stream shows the CA journal
 * or a CRL changed; `scheduled` names the publishers it runs, so the answer can say so.
 */
export type AdminPublication = { publishers: readonly BundlePublisher[] } | { scheduled: PublisherNames };

/** The admin routes over a runtime, publishing as `publication` says. */
export function adminRoutesOf(runtime: TesseraRuntime, publication: AdminPublication = { publishers: [] }): Route[] {
  const publishers = "publishers" in publication ? publication.publishers : [];
  const scheduled = "scheduled" in publication ? publication.scheduled : undefined;
  return adminRoutes({ ...runtime.admin, rotation: { ...runtime, publishers } }, runtime.revocation, scheduled);
}

/** The admin function over a runtime (`metrics`: EMF in Lambda): a Lambda chain around the admin use cases. */
export function createAdminHandler(
  runtime: TesseraRuntime,
  publication: AdminPublication = { publishers: [] },
  metrics?: EmfMetrics,
): HttpHandler {
  return createHttpHandler(adminRoutesOf(runtime, publication), { logger: runtime.logger, ...(metrics ? { metrics } : {}) });
}
