/**
 * spiffeid: SPIFFE IDs and trust domains as the SPIFFE-ID standard defines them. Values are
 * immutable and only exist once validated (`SpiffeId.fromString`, `SpiffeId.fromPath`,
 * `TrustDomain.fromString`).
 */
export { SpiffeId, isPathSegmentChar, validatePath } from "./spiffe-id.js";
export { TrustDomain, isTrustDomainChar, validateTrustDomainName } from "./trust-domain.js";
