/**
 * bundlepublisher/rolesanywhere: Tessera's CAs in an IAM Roles Anywhere trust anchor. The
 * publisher keeps an existing anchor holding the bundle's one or two CA certificates; the
 * trust-anchor functions create (at deployment), find and delete Tessera's own anchor; the CRL
 * publisher imports each CA's CRL for the anchor; `readTrustAnchorState` compares the anchor and
 * its CRLs with the bundle (the console's CA page). Every call goes through a `PacedCaller`: one
 * control-plane call a second at most, throttling retried.
 */
export { crlNameOf, RolesAnywhereCrlPublisher, type RolesAnywhereCrlPublisherOptions } from "./roles-anywhere-crl-publisher.js";
export { isRetryableRolesAnywhereError, PacedCaller, type PacingOptions } from "./paced-caller.js";
export {
  CERTIFICATE_BUNDLE,
  RolesAnywhereTrustAnchorPublisher,
  type RolesAnywhereApi,
  type RolesAnywhereTrustAnchorPublisherOptions,
} from "./roles-anywhere-trust-anchor-publisher.js";
export { MAX_TRUST_ANCHOR_CERTIFICATES, MAX_TRUST_ANCHOR_PEM_CHARACTERS, sameCertificates, trustAnchorPemOf } from "./trust-anchor-pem.js";
export {
  deleteTrustAnchor,
  ensureTrustAnchor,
  getTrustAnchor,
  TRUST_DOMAIN_TAG,
  type EnsureTrustAnchorOptions,
  type EnsureTrustAnchorResult,
  type TrustAnchorCalls,
  type TrustAnchorRef,
} from "./trust-anchors.js";
export {
  compareTrustAnchor,
  readTrustAnchor,
  readTrustAnchorState,
  type TrustAnchorCrlState,
  type TrustAnchorReading,
  type TrustAnchorState,
  type TrustAnchorStateInput,
} from "./trust-anchor-state.js";
