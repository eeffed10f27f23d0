import { marshalPemBundle, marshalSpiffeBundle, type Bundle } from "../../bundle/index.js";
import type { BundlePublisher, PublishResult } from "../types.js";
import { putObjectIfChanged, s3DestinationOf, type S3Destination, type S3PublisherOptions } from "./put-object-if-changed.js";

export { BUNDLE_HASH_METADATA, type S3Api } from "./put-object-if-changed.js";

/** Options of `S3BundlePublisher`. */
export type S3BundlePublisherOptions = S3PublisherOptions;

/**
 * Publishes the bundle to S3 as `<prefix>bundle.json` (the SPIFFE bundle format,
 * `application/json`) and `<prefix>bundle.pem` (the X.509 authorities, `application/x-pem-file`).
 * An object that already holds the same bytes is left alone, so a versioned bucket gains a version
 * only when the bundle changes.
 */
export class S3BundlePublisher implements BundlePublisher {
  readonly name = "aws_s3";
  readonly #to: S3Destination & { prefix: string };

  constructor(options: S3BundlePublisherOptions) {
    this.#to = s3DestinationOf(options, "S3BundlePublisher");
  }

  /** Write `bundle.json` and `bundle.pem` unless they already hold this bundle. */
  async publishBundle(bundle: Bundle): Promise<PublishResult> {
    const prefix = this.#to.prefix;
    let changed = false;
    if (await putObjectIfChanged(this.#to, { key: `${prefix}bundle.json`, body: marshalSpiffeBundle(bundle), contentType: "application/json" })) changed = true;
    if (await putObjectIfChanged(this.#to, { key: `${prefix}bundle.pem`, body: marshalPemBundle(bundle), contentType: "application/x-pem-file" })) changed = true;
    return { changed };
  }
}
