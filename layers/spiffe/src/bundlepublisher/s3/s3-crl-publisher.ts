import { CRL_CONTENT_TYPE } from "../../crl/index.js";
import type { CrlPublisher, PublishedCrl } from "../../revocation/types.js";
import { putObjectIfChanged, s3DestinationOf, type S3Destination, type S3PublisherOptions } from "./put-object-if-changed.js";
import { PUBLISHER_NAMES } from "../name-publishers.js";

/**
 * Publishes each CA's CRL to S3 as `<prefix>crl/<slot key id>.crl` (`crl/x509-ca-a.crl`,
 * `crl/x509-ca-b.crl`; DER, `application/pkix-crl`), beside the bundle: the CRL's issuer and
 * authority key identifier name its CA. An object that already holds the same bytes is left alone.
 */
export class S3CrlPublisher implements CrlPublisher {
  readonly name = PUBLISHER_NAMES.s3Crl;
  readonly #to: S3Destination & { prefix: string };

  constructor(options: S3PublisherOptions) {
    this.#to = s3DestinationOf(options, "S3CrlPublisher");
  }

  /** Write every CRL whose object does not hold it yet. */
  async publishCrls(crls: readonly PublishedCrl[]): Promise<{ changed: boolean }> {
    let changed = false;
    for (const crl of crls) {
      if (
        await putObjectIfChanged(this.#to, {
          key: `${this.#to.prefix}crl/${crl.slotKeyId}.crl`,
          body: crl.der,
          contentType: CRL_CONTENT_TYPE,
        })
      )
        changed = true;
    }
    return { changed };
  }
}
