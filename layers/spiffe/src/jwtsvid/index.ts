/**
 * jwtsvid: JWT-SVIDs as the JWT-SVID standard defines them. `mintJwtSvid` signs one with a key
 * manager's key; `parseAndValidateJwtSvid` checks one against a `JwtAuthoritySource` (a `Bundle`
 * is one), pinning the algorithm to the key and requiring `aud` and `exp`;
 * `parseJwtSvidInsecure` only decodes, for debugging. `validateAudience` is the one audience rule
 * the issuer and the agent apply to what callers ask for.
 *
 * Exports: `mintJwtSvid`, `MintJwtSvidOptions`, `parseAndValidateJwtSvid`,
 * `ValidateJwtSvidOptions`, `parseJwtSvidInsecure`, `validateAudience`, `MAX_JWT_SVID_AUDIENCES`,
 * `MAX_JWT_SVID_AUDIENCE_LENGTH`, `JwtAuthoritySource`, `JwtSvid`, `JwtSvidHeader`.
 */
export { mintJwtSvid, type MintJwtSvidOptions } from "./mint-jwt-svid.js";
export { parseAndValidateJwtSvid, type ValidateJwtSvidOptions } from "./parse-and-validate-jwt-svid.js";
export { parseJwtSvidInsecure } from "./parse-jwt-svid-insecure.js";
export { MAX_JWT_SVID_AUDIENCE_LENGTH, MAX_JWT_SVID_AUDIENCES, validateAudience } from "./validate-audience.js";
export type { JwtAuthoritySource } from "./jwt-authority-source.js";
export type { JwtSvid, JwtSvidHeader } from "./jwt-svid.js";
