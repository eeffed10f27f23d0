/**
 * jwtsvid: JWT-SVIDs as the JWT-SVID standard defines them. `mintJwtSvid` signs one with a key
 * manager's key; `parseAndValidateJwtSvid` checks one against a `JwtAuthoritySource` (a `Bundle`
 * is one), pinning the algorithm to the key and requiring `aud` and `exp`;
 * `parseJwtSvidInsecure` only decodes, for debugging.
 *
 * Exports: `mintJwtSvid`, `MintJwtSvidOptions`, `parseAndValidateJwtSvid`,
 * `ValidateJwtSvidOptions`, `parseJwtSvidInsecure`, `JwtAuthoritySource`, `JwtSvid`, `JwtSvidHeader`.
 */
export { mintJwtSvid, type MintJwtSvidOptions } from "./mint-jwt-svid.js";
export { parseAndValidateJwtSvid, type ValidateJwtSvidOptions } from "./parse-and-validate-jwt-svid.js";
export { parseJwtSvidInsecure } from "./parse-jwt-svid-insecure.js";
export type { JwtAuthoritySource } from "./jwt-authority-source.js";
export type { JwtSvid, JwtSvidHeader } from "./jwt-svid.js";
