import { createHash } from "node:crypto";
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import type { Clock } from "../../clock.js";
import { JoinProofInvalidError, TesseraError } from "../../errors.js";
import type { AttestationContext } from "../types.js";

/** The only algorithms a platform proof may use: asymmetric RSA, RSA-PSS and ECDSA. Never `none` or HMAC. */
export const PROOF_ALGORITHMS: readonly string[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

const MAX_TOKEN_CHARS = 16 * 1024;

/** How to verify one JWT proof. */
export interface JwtProofOptions {
  /** The exact `iss` required. */
  issuer: string;
  /** Allowed `alg` values, a subset of `PROOF_ALGORITHMS`. */
  algorithms: readonly string[];
  clock: Clock;
  /** Tolerated clock difference for `exp`, `nbf` and `iat`, seconds. */
  skewSeconds: number;
  /** The issuer's keys; `refresh` asks for a (rate-limited) refetch after an unknown `kid`. */
  keys: (refresh: boolean) => Promise<JSONWebKeySet>;
}

/** A JWT whose signature, issuer and times checked out. */
export interface VerifiedJwt {
  payload: JWTPayload;
  /** SHA-256 (hex) of the token, for the audit trail and as its id when it has no `jti`. */
  proofHash: string;
}

function invalid(why: string, cause?: unknown): JoinProofInvalidError {
  return new JoinProofInvalidError(`attestation: ${why}`, cause === undefined ? undefined : { cause });
}

function assertTokenShape(token: unknown): asserts token is string {
  if (typeof token !== "string" || token.length > MAX_TOKEN_CHARS || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
    throw invalid("the token is not a compact JWT");
  }
}

/** The `iss` of a token, read WITHOUT checking anything: only to pick which rules to verify it against. */
export function readIssuerInsecure(token: unknown): string {
  assertTokenShape(token);
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch (err) {
    throw invalid("the token is not a compact JWT", err);
  }
  if (typeof iss !== "string" || iss === "") throw invalid("the token has no issuer");
  return iss;
}

/**
 * Verify a JWT proof: compact form, `alg` in the allow-list, a signature by one of the issuer's keys
 * (refetched once after an unknown `kid`), `iss` exactly the issuer, and `exp`, `iat` (required)
 * and `nbf` within the skew. Audience and claims are the caller's. `JoinProofInvalidError` otherwise.
 */
export async function verifyJwtProof(token: unknown, options: JwtProofOptions): Promise<VerifiedJwt> {
  assertTokenShape(token);
  const algorithms = options.algorithms.filter((alg) => PROOF_ALGORITHMS.includes(alg));
  const verifyWith = async (refresh: boolean) =>
    jwtVerify(token, createLocalJWKSet(await options.keys(refresh)), {
      issuer: options.issuer,
      algorithms,
      clockTolerance: options.skewSeconds,
      currentDate: options.clock.now(),
      requiredClaims: ["exp", "iat"],
    });
  let payload: JWTPayload;
  try {
    try {
      ({ payload } = await verifyWith(false));
    } catch (err) {
      if ((err as { code?: unknown }).code !== "ERR_JWKS_NO_MATCHING_KEY") throw err;
      ({ payload } = await verifyWith(true));
    }
  } catch (err) {
    if (err instanceof TesseraError) throw err;
    throw invalid("the token does not verify", err);
  }
  const now = options.clock.now().getTime() / 1000;
  if ((payload.iat as number) > now + options.skewSeconds) throw invalid("the token is issued in the future");
  return { payload, proofHash: createHash("sha256").update(token).digest("hex") };
}

/** True when the token's `aud` (a string or a list) includes `audience`. */
export function audienceIncludes(payload: JWTPayload, audience: string): boolean {
  return payload.aud === audience || (Array.isArray(payload.aud) && payload.aud.includes(audience));
}

/**
 * Record a verified token as used until it expires, keyed by its `jti` or else its hash, in
 * `namespace`: `ReplayError` if it was already used.
 */
export async function claimJwtOnce(verified: VerifiedJwt, namespace: string, context: AttestationContext): Promise<void> {
  const jti = verified.payload.jti;
  const key = typeof jti === "string" && jti !== "" && jti.length <= 256 ? `jti:${jti}` : `sha256:${verified.proofHash}`;
  const now = context.clock.now().getTime();
  await context.replay.claimOnce(namespace, key, (verified.payload.exp as number) * 1000 + 60_000, now);
}
