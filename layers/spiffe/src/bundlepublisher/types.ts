import type { Bundle } from "../bundle/index.js";

/** What one `publishBundle` call did. */
export interface PublishResult {
  /** True when the destination was written; false when it already held this bundle. */
  changed: boolean;
}

/**
 * A place the trust bundle is published to (SPIRE's bundle publisher): one method, idempotent, so
 * calling it again with the same bundle changes nothing.
 */
export interface BundlePublisher {
  /** A short name for logs, e.g. `aws_s3`. */
  readonly name: string;
  /** Make the destination hold `bundle`. */
  publishBundle(bundle: Bundle): Promise<PublishResult>;
}
