/**
 * crl: X.509 v2 certificate revocation lists (RFC 5280 section 5) for Tessera's CAs. `signCrl`
 * builds and signs one with the CA's key (one signature, so one KMS Sign); `parseCrl` reads one
 * strictly; `verifyCrl` checks it against the bundle's authorities (issuer, authority key
 * identifier, signature, thisUpdate / nextUpdate). `caIdOf` names a CA by its subject key
 * identifier in hex: the id of its CRL everywhere (store, S3 key, API path, Roles Anywhere name).
 */
export { parseCrl } from "./parse-crl.js";
export { OID_CRL_NUMBER, OID_REASON_CODE, REASON_CODES, REVOCATION_REASONS } from "./reason-codes.js";
export { CRL_CONTENT_TYPE, caIdOf, encodeCrlPem, signCrl, type SignCrlOptions } from "./sign-crl.js";
export { verifyCrl, type VerifyCrlOptions } from "./verify-crl.js";
export type { ParsedCrl, RevokedCertificate } from "./types.js";
