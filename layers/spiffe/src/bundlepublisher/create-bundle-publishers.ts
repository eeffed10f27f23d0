import type { RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import type { S3Client } from "@aws-sdk/client-s3";
import { createRolesAnywhereClient, createS3Client } from "../aws/index.js";
import type { TesseraConfig } from "../config/index.js";
import { RolesAnywhereTrustAnchorPublisher, type PacingOptions, type RolesAnywhereApi } from "./rolesanywhere/index.js";
import { S3BundlePublisher, type S3Api } from "./s3/index.js";
import type { BundlePublisher } from "./types.js";

/** Clients and pacing to use instead of the default ones (tests, the dev server). */
export interface BundlePublisherOverrides {
  s3?: S3Api | S3Client;
  rolesAnywhere?: RolesAnywhereApi | RolesAnywhereClient;
  pacing?: PacingOptions;
}

/**
 * The publishers the configuration names, in publishing order: S3 when `bundleBucket` is set (with
 * the OIDC documents when `issuerUrl` is), then the Roles Anywhere trust anchor when `trustAnchorId` is set.
 */
export function createBundlePublishers(
  config: Pick<TesseraConfig, "bundleBucket" | "trustAnchorId" | "awsEndpoints" | "issuerUrl">,
  overrides: BundlePublisherOverrides = {},
): BundlePublisher[] {
  const publishers: BundlePublisher[] = [];
  if (config.bundleBucket) {
    publishers.push(
      new S3BundlePublisher({
        client: overrides.s3 ?? createS3Client({ endpoint: config.awsEndpoints.s3 }),
        bucket: config.bundleBucket,
        ...(config.issuerUrl ? { issuerUrl: config.issuerUrl } : {}),
      }),
    );
  }
  if (config.trustAnchorId) {
    publishers.push(
      new RolesAnywhereTrustAnchorPublisher({
        client: overrides.rolesAnywhere ?? createRolesAnywhereClient({ endpoint: config.awsEndpoints.rolesanywhere }),
        trustAnchorId: config.trustAnchorId,
        ...(overrides.pacing ? { pacing: overrides.pacing } : {}),
      }),
    );
  }
  return publishers;
}
