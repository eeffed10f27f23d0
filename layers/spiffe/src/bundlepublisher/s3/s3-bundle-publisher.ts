import { marshalPemBundle, marshalSpiffeBundle, type Bundle } from "../../bundle/index.js";
import { marshalOidcDocuments, OIDC_DISCOVERY_PATH, OIDC_JWKS_PATH } from "../../oidcdiscovery/index.js";
import type { BundlePublisher, PublishResult } from "../types.js";
import {
  putObjectIfChanged,
  s3DestinationOf,
  type PublishedObject,
  type S3Destination,
  type S3PublisherOptions,
} from "./put-object-if-changed.js";
import { PUBLISHER_NAMES } from "../name-publishers.js";

export { BUNDLE_HASH_METADATA, type S3Api } from "./put-object-if-changed.js";

/** Options of `S3BundlePublisher`. */
export interface S3BundlePublisherOptions extends S3PublisherOptions {
  /** OIDC issuer URL: when set, the discovery document and the JWKS are published too. */
  issuerUrl?: string;
}

/**
 * Publishes the bundle to S3 as `<prefix>bundle.json` (the SPIFFE bundle format,
 * `application/json`) and `<prefix>bundle.pem` (the X.509 authorities, `application/x-pem-file`).
 * With an issuer URL it also publishes `<prefix>.well-known/openid-configuration` and
 * `<prefix>.well-known/jwks.json`, so the bucket (behind the issuer URL) can serve OIDC discovery.
 * An object that already holds the same bytes is left alone, so a versioned bucket gains a version
 * only when the bundle changes.
 */
export class S3BundlePublisher implements BundlePublisher {
  readonly name = PUBLISHER_NAMES.s3Bundle;
  readonly #to: S3Destination & { prefix: string };
  readonly #issuerUrl: string | undefined;

  constructor(options: S3BundlePublisherOptions) {
    this.#to = s3DestinationOf(options, "S3BundlePublisher");
    this.#issuerUrl = options.issuerUrl;
  }

  /** Write `bundle.json`, `bundle.pem` (and the OIDC documents) unless they already hold this bundle. */
  async publishBundle(bundle: Bundle): Promise<PublishResult> {
    const prefix = this.#to.prefix;
    const objects: PublishedObject[] = [
      { key: `${prefix}bundle.json`, body: marshalSpiffeBundle(bundle), contentType: "application/json" },
      { key: `${prefix}bundle.pem`, body: marshalPemBundle(bundle), contentType: "application/x-pem-file" },
    ];
    if (this.#issuerUrl !== undefined) {
      const oidc = marshalOidcDocuments(this.#issuerUrl, bundle);
      objects.push(
        { key: `${prefix}${OIDC_DISCOVERY_PATH.slice(1)}`, body: oidc.discovery, contentType: "application/json" },
        { key: `${prefix}${OIDC_JWKS_PATH.slice(1)}`, body: oidc.jwks, contentType: "application/json" },
      );
    }
    let changed = false;
    for (const object of objects) {
      if (await putObjectIfChanged(this.#to, object)) changed = true;
    }
    return { changed };
  }
}
