import type { JwtSvid } from "./jwt-svid.js";
import { decodeToken, readJwtSvid } from "./read-token.js";

/**
 * Decode a JWT-SVID WITHOUT checking its signature, audience or expiry: for debugging and
 * display only, never for a security decision. Still requires a valid `sub`, an `aud` and an `exp`.
 */
export function parseJwtSvidInsecure(token: string): JwtSvid {
  const { header, claims } = decodeToken(token);
  return readJwtSvid(header, claims);
}
