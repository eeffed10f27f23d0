import { randomBytes, verify } from "node:crypto";
import { KeyManagerError } from "../errors.js";
import { ecdsaDerToJose } from "../keymanager/ecdsa-signature.js";
import { signatureAlgorithmFor } from "../keymanager/spec.js";
import type { SigningKey } from "../keymanager/types.js";
import { SpiffeId } from "../spiffeid/index.js";

/** Options of `mintJwtSvid`. */
export interface MintJwtSvidOptions {
  /** The JWT signing key. */
  key: SigningKey;
  /** The key's id in the bundle; goes into the header. */
  kid: string;
  /** The `sub` claim. */
  spiffeId: SpiffeId;
  /** The `aud` claim: at least one audience; one is strongly recommended. */
  audience: string[];
  /** Lifetime in whole seconds; `exp` is `iat` plus this. */
  ttlSeconds: number;
  /** The issuing time (`iat`). */
  now: Date;
  /** The `jti` claim; 128 random bits when omitted. */
  jti?: string;
  /** The `iss` claim (the OIDC issuer URL); no `iss` when omitted. */
  issuer?: string;
}

function checkOptions(o: MintJwtSvidOptions): void {
  if (typeof o.kid !== "string" || o.kid === "") throw new TypeError("jwtsvid: kid must be a non-empty string");
  if (!(o.spiffeId instanceof SpiffeId)) throw new TypeError("jwtsvid: spiffeId must be a SpiffeId");
  if (!Array.isArray(o.audience) || o.audience.length === 0 || !o.audience.every((a) => typeof a === "string" && a !== "")) {
    throw new TypeError("jwtsvid: audience must be a non-empty list of non-empty strings");
  }
  if (!Number.isSafeInteger(o.ttlSeconds) || o.ttlSeconds <= 0) throw new TypeError("jwtsvid: ttlSeconds must be a positive integer");
  if (!(o.now instanceof Date) || !Number.isFinite(o.now.getTime())) throw new TypeError("jwtsvid: now must be a valid Date");
  if (o.jti !== undefined && (typeof o.jti !== "string" || o.jti === "")) throw new TypeError("jwtsvid: jti must be a non-empty string");
  if (o.issuer !== undefined && (typeof o.issuer !== "string" || o.issuer === ""))
    throw new TypeError("jwtsvid: issuer must be a non-empty string");
}

function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/**
 * Sign a JWT-SVID: header `{alg, kid, typ: "JWT"}` with the key's one algorithm, claims `iss`
 * (when given), `sub`, `aud` (a string for one audience), `exp`, `iat`, `jti`. The signature is checked against the
 * key's public key before the token is returned.
 */
export async function mintJwtSvid(options: MintJwtSvidOptions): Promise<string> {
  checkOptions(options);
  const { key, kid, spiffeId, audience, ttlSeconds, now } = options;
  const algorithm = signatureAlgorithmFor(key.spec);
  const iat = Math.floor(now.getTime() / 1000);
  const claims = {
    ...(options.issuer === undefined ? {} : { iss: options.issuer }),
    sub: spiffeId.toString(),
    aud: audience.length === 1 ? audience[0] : [...audience],
    exp: iat + ttlSeconds,
    iat,
    jti: options.jti ?? randomBytes(16).toString("base64url"),
  };
  const signingInput = Buffer.from(`${encodeJson({ alg: algorithm.jws, kid, typ: "JWT" })}.${encodeJson(claims)}`);
  const signed = await key.sign(signingInput);
  const signature = algorithm.ecCoordinateLength ? ecdsaDerToJose(signed, algorithm.ecCoordinateLength) : signed;
  if (!verify(algorithm.hash, signingInput, { key: key.publicKey, dsaEncoding: "ieee-p1363" }, signature)) {
    throw new KeyManagerError(`jwtsvid: the signature of key ${key.id} does not verify with its public key`);
  }
  return `${signingInput.toString()}.${Buffer.from(signature).toString("base64url")}`;
}
