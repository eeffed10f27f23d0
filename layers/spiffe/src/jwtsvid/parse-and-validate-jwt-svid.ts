import type { JWK, JWTPayload } from "jose";
import { systemClock } from "../clock.js";
import { JwtSvidInvalidError } from "../errors.js";
import type { JwtAuthoritySource } from "./jwt-authority-source.js";
import type { JwtSvid } from "./jwt-svid.js";
import { decodeToken, readJwtSvid, readSubject } from "./read-token.js";
import { importVerificationKey, verifySignature } from "./verify-signature.js";

/** Options of `parseAndValidateJwtSvid`. */
export interface ValidateJwtSvidOptions {
  /** The audiences this validator answers to; the token's `aud` must contain one of them. */
  audience: string[];
  /** The time to check `exp` against; the wall clock when omitted. */
  now?: Date;
}

const ALLOWED_HEADER = new Set(["alg", "kid", "typ"]);
const EC_ALGORITHMS: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };
const RSA_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

function invalid(message: string, cause?: unknown): JwtSvidInvalidError {
  return new JwtSvidInvalidError(`jwtsvid: ${message}`, { cause });
}

function checkOptions(options: ValidateJwtSvidOptions): void {
  const { audience, now } = options ?? {};
  if (!Array.isArray(audience) || audience.length === 0 || !audience.every((a) => typeof a === "string" && a !== "")) {
    throw new TypeError("jwtsvid: audience must be a non-empty list of non-empty strings");
  }
  if (now !== undefined && !(now instanceof Date && Number.isFinite(now.getTime()))) {
    throw new TypeError("jwtsvid: now must be a valid Date");
  }
}

function checkHeader(header: Record<string, unknown>): { alg: string; kid: string } {
  if (Object.keys(header).some((member) => !ALLOWED_HEADER.has(member))) {
    throw invalid("token header may only hold alg, kid and typ");
  }
  const { alg, kid, typ } = header;
  if (typeof alg !== "string" || !(RSA_ALGORITHMS.includes(alg) || Object.values(EC_ALGORITHMS).includes(alg))) {
    throw invalid("token alg is not allowed");
  }
  if (typeof kid !== "string" || kid === "") throw invalid("token has no kid");
  if (typ !== undefined && typ !== "JWT" && typ !== "JOSE") throw invalid("token typ must be JWT or JOSE");
  return { alg, kid };
}

// The key decides the algorithm, never the token: a P-256 key verifies ES256 and nothing else.
function algorithmsFor(jwk: JWK): string[] {
  let algorithms: string[] = [];
  if (jwk.kty === "EC" && typeof jwk.crv === "string" && Object.hasOwn(EC_ALGORITHMS, jwk.crv)) {
    algorithms = [EC_ALGORITHMS[jwk.crv]!];
  } else if (jwk.kty === "RSA") {
    algorithms = RSA_ALGORITHMS;
  }
  return typeof jwk.alg === "string" ? algorithms.filter((a) => a === jwk.alg) : algorithms;
}

function numericDate(claims: JWTPayload, claim: "iat" | "nbf" | "exp"): number | undefined {
  const value = claims[claim];
  if (value !== undefined && typeof value !== "number") throw invalid(`${claim} claim is invalid`);
  return value;
}

// jose's claim rules for a verified JWT with `requiredClaims` sub, aud and exp, an `audience` and no
// clock tolerance, in jose's order: presence, audience, then iat, nbf and exp.
function checkClaims(claims: JWTPayload, options: ValidateJwtSvidOptions): void {
  for (const claim of ["aud", "exp", "sub"]) if (!Object.hasOwn(claims, claim)) throw invalid(`token has no ${claim}`);
  const { aud } = claims;
  const expected = options.audience;
  if (!(typeof aud === "string" ? expected.includes(aud) : Array.isArray(aud) && expected.some((a) => aud.includes(a)))) {
    throw invalid("audience mismatch");
  }
  const now = Math.floor((options.now ?? systemClock.now()).getTime() / 1000);
  numericDate(claims, "iat");
  const nbf = numericDate(claims, "nbf");
  if (nbf !== undefined && nbf > now) throw invalid("nbf claim is invalid");
  const exp = numericDate(claims, "exp");
  if (exp !== undefined && exp <= now) throw invalid("token has expired");
}

async function checkSignature(token: string, jwk: JWK, alg: string): Promise<void> {
  let key;
  try {
    key = await importVerificationKey(jwk, alg);
  } catch (err) {
    throw invalid("token could not be verified", err);
  }
  if (!verifySignature(token, key, alg)) throw invalid("token could not be verified");
}

/**
 * Parse a JWT-SVID and validate it per the JWT-SVID standard: header only `alg`/`kid`/`typ`, the
 * signature by key `kid` of the `sub`'s trust domain with the one algorithm that key allows,
 * `aud` containing one of `options.audience`, `exp` present and not passed. Every failure throws
 * `JwtSvidInvalidError`.
 */
export async function parseAndValidateJwtSvid(
  token: string,
  source: JwtAuthoritySource,
  options: ValidateJwtSvidOptions,
): Promise<JwtSvid> {
  checkOptions(options);
  const decoded = decodeToken(token);
  const { alg, kid } = checkHeader(decoded.header);
  const trustDomain = readSubject(decoded.claims).trustDomain;
  const jwk = source.getJwtAuthority(trustDomain, kid);
  if (!jwk) throw invalid(`no JWT authority with that kid in trust domain ${trustDomain.name}`);
  if (!algorithmsFor(jwk).includes(alg)) throw invalid("token alg does not fit the key");
  await checkSignature(token, jwk, alg);
  checkClaims(decoded.claims, options);
  return readJwtSvid(decoded.header, decoded.claims);
}
