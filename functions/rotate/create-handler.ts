import middy, { type MiddlewareObj } from "@middy/core";
import {
  TesseraError,
  ensureAuthorities,
  runBundlePublishers,
  type AuthorityCache,
  type AuthorityDeps,
  type AuthorityPolicy,
  type Bundle,
  type BundlePublisher,
  type HttpLogger,
  type PublishReport,
} from "../../layers/spiffe/src/index.js";

/** What the rotate function needs: the authority parts of a runtime and the bundle's publishers. */
export interface RotateDeps {
  authority: AuthorityDeps;
  authorityPolicy: AuthorityPolicy;
  authorities: AuthorityCache;
  publishers: readonly BundlePublisher[];
  logger: HttpLogger;
}

/** What one tick did. */
export interface RotateResult {
  /** Which authorities this tick had to make (true only on a fresh deployment). */
  created: { x509: boolean; jwt: boolean };
  bundleSequence: number;
  x509Authorities: number;
  /** Each publisher and whether it wrote anything. */
  published: { publisher: string; changed: boolean }[];
}

/** The scheduled Lambda handler; the EventBridge event itself carries nothing it reads. */
export type RotateHandler = (event?: unknown, context?: unknown) => Promise<RotateResult>;

/** Read the authorities afresh (this tick may just have made them) and hand the bundle to every publisher. */
export async function publishCurrentBundle(
  deps: Pick<RotateDeps, "authorities" | "publishers" | "logger">,
): Promise<{ bundle: Bundle; report: PublishReport }> {
  deps.authorities.invalidate();
  const bundle = await deps.authorities.bundle();
  const report = await runBundlePublishers(deps.publishers, bundle);
  for (const outcome of report.outcomes) {
    if ("error" in outcome) {
      const code = outcome.error instanceof TesseraError ? outcome.error.code : "ERR_INTERNAL";
      deps.logger.error("rotate: publishing failed", { publisher: outcome.publisher, code, error: outcome.error });
    } else {
      deps.logger.info("rotate: bundle published", { publisher: outcome.publisher, changed: outcome.changed, sequence: bundle.sequence });
    }
  }
  return { bundle, report };
}

/** Logs a failed tick with its code, then lets it fail so the invocation counts as an error. */
function logFailures(logger: HttpLogger): MiddlewareObj {
  return {
    onError: (request) => {
      const err = request.error;
      logger.error("rotate: tick failed", { code: err instanceof TesseraError ? err.code : "ERR_INTERNAL", error: err });
    },
  };
}

/**
 * The rotate function: each tick makes sure the X.509 CA and the JWT key exist (the deployment
 * made them; this repairs a wiped journal), then publishes the bundle. Publishing is idempotent:
 * a tick with nothing new writes nothing. Rotation steps join this tick when the planner lands.
 */
export function createRotateHandler(deps: RotateDeps): RotateHandler {
  const chain = middy<unknown, RotateResult>()
    .use(logFailures(deps.logger))
    .handler(async () => {
      const ensured = await ensureAuthorities(deps.authority, deps.authorityPolicy);
      const { bundle, report } = await publishCurrentBundle(deps);
      if (report.failure) throw report.failure;
      return {
        created: { x509: ensured.x509.created, jwt: ensured.jwt.created },
        bundleSequence: bundle.sequence ?? 0,
        x509Authorities: bundle.x509Authorities.length,
        published: report.outcomes.map((o) => ({ publisher: o.publisher, changed: "changed" in o && o.changed })),
      };
    });
  return (event, context) => chain(event, (context ?? {}) as never);
}
