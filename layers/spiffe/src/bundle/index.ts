/**
 * bundle: the SPIFFE trust bundle of one trust domain (X.509 CA certificates and JWT-SVID keys),
 * in the SPIFFE bundle format (a JWK Set with `spiffe_sequence` and `spiffe_refresh_hint`) and as
 * PEM. A `Bundle` is the X.509 and JWT authority source that SVID validation takes.
 *
 * Exports: `Bundle`, `BundleInit`, `parseSpiffeBundle`, `marshalSpiffeBundle`, `parsePemBundle`,
 * `marshalPemBundle`, `createJwk`, `BundleKeyUse`, `thumbprintOf`.
 */
export { Bundle, type BundleInit } from "./bundle.js";
export { createJwk, type BundleKeyUse } from "./create-jwk.js";
export { marshalPemBundle } from "./marshal-pem-bundle.js";
export { marshalSpiffeBundle } from "./marshal-spiffe-bundle.js";
export { parsePemBundle } from "./parse-pem-bundle.js";
export { parseSpiffeBundle } from "./parse-spiffe-bundle.js";
export { thumbprintOf } from "./thumbprint-of.js";
