/**
 * spiffeid: SPIFFE IDs and trust domains as the SPIFFE-ID standard defines them. Values are
 * immutable and only exist once validated (`SpiffeId.fromString`, `SpiffeId.fromPath`,
 * `TrustDomain.fromString`).
 */
export { SpiffeId, TrustDomain, isPathSegmentChar, isTrustDomainChar, validatePath, validateTrustDomainName } from "./spiffe-id.js";
