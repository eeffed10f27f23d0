import type { JWTPayload } from "jose";
import { JwtSvidInvalidError } from "../errors.js";
import { SpiffeId } from "../spiffeid/index.js";
import type { JwtSvid, JwtSvidHeader } from "./jwt-svid.js";

/** The two JSON parts of a compact JWS, not yet verified. */
export interface DecodedToken {
  header: Record<string, unknown>;
  claims: JWTPayload;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function invalid(message: string, cause?: unknown): JwtSvidInvalidError {
  return new JwtSvidInvalidError(`jwtsvid: ${message}`, { cause });
}

function decodeJsonObject(part: string): Record<string, unknown> {
  if (part === "" || part.length % 4 === 1 || !BASE64URL.test(part)) throw invalid("token is malformed");
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(Buffer.from(part, "base64url")));
  } catch (err) {
    throw invalid("token is malformed", err);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("token is malformed");
  return value as Record<string, unknown>;
}

/** Split a compact JWS and decode its header and claims, checking nothing else. */
export function decodeToken(token: string): DecodedToken {
  if (typeof token !== "string") throw new TypeError("jwtsvid: token must be a string");
  const parts = token.split(".");
  if (parts.length !== 3) throw invalid("token is not a compact JWS");
  if (!BASE64URL.test(parts[2]!)) throw invalid("token is malformed");
  return { header: decodeJsonObject(parts[0]!), claims: decodeJsonObject(parts[1]!) };
}

/** The SPIFFE ID in the `sub` claim. */
export function readSubject(claims: JWTPayload): SpiffeId {
  if (typeof claims.sub !== "string") throw invalid("token has no sub");
  try {
    return SpiffeId.fromString(claims.sub);
  } catch (err) {
    throw invalid("sub is not a valid SPIFFE ID", err);
  }
}

function readAudience(claims: JWTPayload): string[] {
  const aud: unknown = claims.aud;
  if (aud === undefined) throw invalid("token has no aud");
  const audience = typeof aud === "string" ? [aud] : aud;
  if (!Array.isArray(audience) || !audience.every((a) => typeof a === "string")) {
    throw invalid("aud must be a string or an array of strings");
  }
  if (audience.length === 0) throw invalid("aud is empty");
  return [...audience];
}

/** Check what every JWT-SVID carries (`alg`; `sub`, `aud`, `exp`) and assemble the result. */
export function readJwtSvid(header: Record<string, unknown>, claims: JWTPayload): JwtSvid {
  if (typeof header.alg !== "string") throw invalid("token has no alg");
  const spiffeId = readSubject(claims);
  const audience = readAudience(claims);
  if (claims.exp === undefined) throw invalid("token has no exp");
  if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) throw invalid("exp must be a number");
  return { spiffeId, audience, expiresAt: new Date(claims.exp * 1000), claims, header: header as JwtSvidHeader };
}
