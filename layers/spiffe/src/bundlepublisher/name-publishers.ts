import type { TesseraConfig } from "../config/index.js";

/** The name each publisher goes by in logs and answers. */
export const PUBLISHER_NAMES = {
  s3Bundle: "aws_s3",
  s3Crl: "aws_s3_crl",
  trustAnchor: "aws_rolesanywhere_trustanchor",
  rolesAnywhereCrl: "aws_rolesanywhere_crl",
} as const;

/** The bundle and CRL publishers a configuration names, by name, in publishing order. */
export interface PublisherNames {
  bundle: string[];
  crl: string[];
}

/**
 * Name the publishers `createBundlePublishers` and `createCrlPublishers` would build for `config`,
 * without building them (no SDK client): S3 when `bundleBucket` is set, then Roles Anywhere when
 * `trustAnchorId` is.
 */
export function namePublishers(config: Pick<TesseraConfig, "bundleBucket" | "trustAnchorId">): PublisherNames {
  const names: PublisherNames = { bundle: [], crl: [] };
  if (config.bundleBucket) {
    names.bundle.push(PUBLISHER_NAMES.s3Bundle);
    names.crl.push(PUBLISHER_NAMES.s3Crl);
  }
  if (config.trustAnchorId) {
    names.bundle.push(PUBLISHER_NAMES.trustAnchor);
    names.crl.push(PUBLISHER_NAMES.rolesAnywhereCrl);
  }
  return names;
}
