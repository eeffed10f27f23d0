/**
 * bundlepublisher: where the trust bundle goes after every change (SPIRE's bundle publishers).
 * A `BundlePublisher` has one idempotent method, `publishBundle(bundle)`:
 *
 * - `S3BundlePublisher`: `bundle.json` (SPIFFE format) and `bundle.pem` in a bucket, written only
 *   when their bytes change.
 * - `RolesAnywhereTrustAnchorPublisher`: the one or two CA certificates in an IAM Roles Anywhere
 *   trust anchor, updated only when the anchor holds other certificates, paced to the control
 *   plane's one call a second; `ensureTrustAnchor` / `getTrustAnchor` / `deleteTrustAnchor` manage
 *   Tessera's own anchor at deployment.
 *
 * CRL publishers (`S3CrlPublisher`: `crl/x509-ca-a.crl` and `-b`; `RolesAnywhereCrlPublisher`: `ImportCrl` /
 * `UpdateCrl` for the trust anchor) carry each CA's CRL to the same places; `createCrlPublishers`.
 *
 * `createBundlePublishers(config)` builds the ones the configuration names (`namePublishers(config)`
 * names them without building them), `createTrustAnchorCalls()`
 * the client and pacer of the trust-anchor functions;
 * `runBundlePublishers(publishers, bundle)` runs them all and reports each outcome.
 */
export { createBundlePublishers, createCrlPublishers, type BundlePublisherOverrides } from "./create-bundle-publishers.js";
export { createTrustAnchorCalls } from "./create-trust-anchor-calls.js";
export { BundlePublishError, TrustAnchorLimitError } from "./errors.js";
export { namePublishers, PUBLISHER_NAMES, type PublisherNames } from "./name-publishers.js";
export * from "./rolesanywhere/index.js";
export { runBundlePublishers, type PublishOutcome, type PublishReport } from "./run-bundle-publishers.js";
export * from "./s3/index.js";
export type { BundlePublisher, PublishResult } from "./types.js";
