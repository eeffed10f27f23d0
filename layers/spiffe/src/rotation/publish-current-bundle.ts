import type { Bundle } from "../bundle/index.js";
import { runBundlePublishers, type PublishReport } from "../bundlepublisher/run-bundle-publishers.js";
import type { BundlePublisher } from "../bundlepublisher/types.js";
import type { AuthorityCache } from "../ca/index.js";
import { TesseraError } from "../errors.js";
import type { Logger } from "../logger.js";

/** What publishing needs: the authorities (read afresh), the publishers, a logger. */
export interface PublishDeps {
  authorities: AuthorityCache;
  publishers: readonly BundlePublisher[];
  logger: Pick<Logger, "info" | "error">;
}

/** Read the authorities afresh and hand the bundle to every publisher, logging each outcome. */
export async function publishCurrentBundle(deps: PublishDeps): Promise<{ bundle: Bundle; report: PublishReport }> {
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
