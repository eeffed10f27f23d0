/**
 * client: the HTTP client side of Tessera for workloads that cannot run an agent (a Lambda
 * function, a CI step): an SVID in one round trip with the platform's own proof, the key made
 * locally, and the issuer's refusals as `IssuerApiError` with their stable codes.
 */
export { fetchJwtSvidWithProof, fetchX509SvidWithProof, type IssuedJwtSvid, type PlatformProof, type SvidWithProofOptions, type X509SvidWithKey } from "./fetch-svid-with-proof.js";
export { IssuerApiError, issuerApiErrorOf } from "./issuer-api-error.js";
