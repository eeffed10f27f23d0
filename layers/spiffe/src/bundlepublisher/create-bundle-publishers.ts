import type { RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import type { S3Client } from "@aws-sdk/client-s3";
// Not the aws barrel: its request signers import() the SDK's credential chain, which would wrap the
// SDK modules of every Lambda bundle in lazy initializers (test/infra/lambda-bundles.test.ts).
import { createRolesAnywhereClient, createS3Client, deferClient } from "../aws/clients.js";
import type { TesseraConfig } from "../config/index.js";
import type { CrlPublisher } from "../revocation/types.js";
import {
  PacedCaller,
  RolesAnywhereCrlPublisher,
  RolesAnywhereTrustAnchorPublisher,
  type PacingOptions,
  type RolesAnywhereApi,
} from "./rolesanywhere/index.js";
import { S3BundlePublisher, S3CrlPublisher, type S3Api } from "./s3/index.js";
import type { BundlePublisher } from "./types.js";

/** Clients and pacing to use instead of the default ones (tests, the dev server). */
export interface BundlePublisherOverrides {
  s3?: S3Api | S3Client;
  rolesAnywhere?: RolesAnywhereApi | RolesAnywhereClient;
  pacing?: PacingOptions;
}

type PublisherConfig = Pick<TesseraConfig, "bundleBucket" | "trustAnchorId" | "awsEndpoints" | "issuerUrl">;

/**
 * The bundle and CRL publishers the configuration names, in publishing order: S3 when
 * `bundleBucket` is set (with the OIDC documents when `issuerUrl` is), then Roles Anywhere when
 * `trustAnchorId` is set. Each client is made by its first call. The Roles Anywhere ones share one
 * client and one pacer, so together they keep to the control plane's one call a second.
 */
function createPublishers(
  config: PublisherConfig,
  overrides: BundlePublisherOverrides,
): { bundle: BundlePublisher[]; crl: CrlPublisher[] } {
  const bundle: BundlePublisher[] = [];
  const crl: CrlPublisher[] = [];
  if (config.bundleBucket) {
    const options = {
      client: overrides.s3 ?? deferClient(() => createS3Client({ endpoint: config.awsEndpoints.s3 })),
      bucket: config.bundleBucket,
    };
    bundle.push(new S3BundlePublisher({ ...options, ...(config.issuerUrl ? { issuerUrl: config.issuerUrl } : {}) }));
    crl.push(new S3CrlPublisher(options));
  }
  if (config.trustAnchorId) {
    const client = overrides.rolesAnywhere ?? deferClient(() => createRolesAnywhereClient({ endpoint: config.awsEndpoints.rolesanywhere }));
    const options = { client, trustAnchorId: config.trustAnchorId, pacing: new PacedCaller(overrides.pacing) };
    bundle.push(new RolesAnywhereTrustAnchorPublisher(options));
    crl.push(new RolesAnywhereCrlPublisher(options));
  }
  return { bundle, crl };
}

/** The bundle publishers the configuration names: S3 (`bundle.json`, `bundle.pem`, the OIDC documents), then the Roles Anywhere trust anchor. */
export function createBundlePublishers(config: PublisherConfig, overrides: BundlePublisherOverrides = {}): BundlePublisher[] {
  return createPublishers(config, overrides).bundle;
}

/** The CRL publishers the configuration names: `crl/<slot key id>.crl` in the bundle bucket, then the CRLs imported into Roles Anywhere. */
export function createCrlPublishers(config: PublisherConfig, overrides: BundlePublisherOverrides = {}): CrlPublisher[] {
  return createPublishers(config, overrides).crl;
}
