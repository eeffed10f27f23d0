import type { Bundle } from "../bundle/index.js";
import { BundlePublishError } from "./errors.js";
import type { BundlePublisher } from "./types.js";

/** What one publisher did with the bundle. */
export type PublishOutcome = { publisher: string; changed: boolean } | { publisher: string; error: Error };

/** The outcome of `runBundlePublishers`. */
export interface PublishReport {
  outcomes: PublishOutcome[];
  /** Set when at least one publisher failed: a `BundlePublishError` naming every failure. */
  failure?: BundlePublishError;
}

/**
 * Hand the bundle to every publisher, one after another; a failing publisher does not stop the
 * others. The report lists each outcome, and `failure` sums up the publishers that failed.
 */
export async function runBundlePublishers(publishers: readonly BundlePublisher[], bundle: Bundle): Promise<PublishReport> {
  const outcomes: PublishOutcome[] = [];
  for (const publisher of publishers) {
    try {
      const { changed } = await publisher.publishBundle(bundle);
      outcomes.push({ publisher: publisher.name, changed });
    } catch (err) {
      outcomes.push({ publisher: publisher.name, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }
  const failure = publishFailureOf(outcomes);
  return failure ? { outcomes, failure } : { outcomes };
}

/** One `BundlePublishError` naming every publisher (bundle or CRL) that failed; undefined when none did. */
export function publishFailureOf(outcomes: readonly PublishOutcome[]): BundlePublishError | undefined {
  const failed = outcomes.filter((o): o is { publisher: string; error: Error } => "error" in o);
  if (failed.length === 0) return undefined;
  const summary = failed.map((o) => `${o.publisher}: ${o.error.message}`).join("; ");
  return new BundlePublishError(`bundlepublisher: ${failed.length} of ${outcomes.length} publishers failed (${summary})`, {
    cause: failed.length === 1 ? failed[0]!.error : new AggregateError(failed.map((o) => o.error)),
  });
}
