import { errors, importJWK, jwtVerify, type JWK, type JWTVerifyResult } from "jose";
import { systemClock } from "../clock.js";
import { JwtSvidInvalidError } from "../errors.js";
import type { JwtAuthoritySource } from "./jwt-authority-source.js";
import type { JwtSvid } from "./jwt-svid.js";
import { decodeToken, readJwtSvid, readSubject } from "./read-token.js";

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

function explain(err: unknown): JwtSvidInvalidError {
  if (err instanceof errors.JWTExpired) return invalid("token has expired", err);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === "missing") return invalid(`token has no ${err.claim}`, err);
    if (err.claim === "aud") return invalid("audience mismatch", err);
    return invalid(`${err.claim} claim is invalid`, err);
  }
  return invalid("token could not be verified", err);
}

// Imported keys by algorithm and JWK content: importing costs more than verifying, and a relying
// party (the agent's ValidateJWTSVID) checks many tokens against the same few keys.
const MAX_IMPORTED_KEYS = 64;
const importedKeys = new Map<string, ReturnType<typeof importJWK>>();

function importKey(jwk: JWK, alg: string): ReturnType<typeof importJWK> {
  const id = `${alg} ${JSON.stringify(jwk)}`;
  let key = importedKeys.get(id);
  if (!key) {
    key = importJWK(jwk, alg);
    key.catch(() => importedKeys.delete(id));
    importedKeys.set(id, key);
    if (importedKeys.size > MAX_IMPORTED_KEYS) importedKeys.delete(importedKeys.keys().next().value as string);
  }
  return key;
}

async function verify(token: string, jwk: JWK, alg: string, options: ValidateJwtSvidOptions): Promise<JWTVerifyResult> {
  try {
    return await jwtVerify(token, await importKey(jwk, alg), {
      algorithms: [alg],
      audience: options.audience,
      currentDate: options.now ?? systemClock.now(),
      requiredClaims: ["sub", "aud", "exp"],
    });
  } catch (err) {
    throw explain(err);
  }
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
  const verified = await verify(token, jwk, alg, options);
  return readJwtSvid(decoded.header, verified.payload);
}
