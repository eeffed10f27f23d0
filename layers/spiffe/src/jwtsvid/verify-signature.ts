// The JWS signature of a JWT-SVID, checked synchronously with node:crypto against a key imported
// once. jose's jwtVerify went through WebCrypto for every token: a promise chain and a job for a
// check that node:crypto makes on the calling thread, which is what a relying party answering
// many ValidateJWTSVID calls against the same few keys pays for most.
import { constants, KeyObject, verify } from "node:crypto";
import { importJWK, type JWK } from "jose";

/** How node:crypto checks each JWS algorithm a JWT-SVID may use (RFC 7518, section 3). */
interface AlgorithmParameters {
  hash: string;
  verifyOptions: { dsaEncoding?: "ieee-p1363"; padding?: number; saltLength?: number };
}

function ecdsa(bits: 256 | 384 | 512): AlgorithmParameters {
  return { hash: `sha${bits}`, verifyOptions: { dsaEncoding: "ieee-p1363" } };
}

function rsa(bits: 256 | 384 | 512, pss: boolean): AlgorithmParameters {
  return {
    hash: `sha${bits}`,
    // PS*: the salt is exactly as long as the hash (RFC 7518, section 3.5), as WebCrypto checked it.
    verifyOptions: pss ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: bits / 8 } : { padding: constants.RSA_PKCS1_PADDING },
  };
}

const ALGORITHMS: Record<string, AlgorithmParameters> = {
  ES256: ecdsa(256),
  ES384: ecdsa(384),
  ES512: ecdsa(512),
  RS256: rsa(256, false),
  RS384: rsa(384, false),
  RS512: rsa(512, false),
  PS256: rsa(256, true),
  PS384: rsa(384, true),
  PS512: rsa(512, true),
};

/** RSA keys shorter than this verify nothing (RFC 7518, section 3.3; jose's rule). */
const MIN_RSA_BITS = 2048;

function parametersOf(alg: string): AlgorithmParameters {
  const parameters = Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg] : undefined;
  if (!parameters) throw new TypeError(`jwtsvid: ${alg} is not a JWT-SVID algorithm`);
  return parameters;
}

// The checks jose made of the imported key on every verification, made once. WebCrypto gives a
// private key (a JWK with "d") only the sign usage, and a public one the usages its key_ops list.
async function importKey(jwk: JWK, alg: string): Promise<KeyObject> {
  const key = await importJWK(jwk, alg);
  if (key instanceof Uint8Array || !key.usages.includes("verify")) {
    throw new TypeError(`jwtsvid: the JWK is not a public key that verifies ${alg}`);
  }
  const { modulusLength } = key.algorithm as { modulusLength?: number };
  if (modulusLength !== undefined && modulusLength < MIN_RSA_BITS) {
    throw new TypeError(`jwtsvid: the RSA key is shorter than ${MIN_RSA_BITS} bits`);
  }
  return KeyObject.from(key);
}

// Imported keys by JWK object, then algorithm: a bundle's keys are imported once and let go with
// the bundle. The JWK is frozen when first imported (as jose freezes the JWKs it caches), so its
// key cannot change under its cache entry.
const importedKeys = new WeakMap<JWK, Map<string, Promise<KeyObject>>>();

/** The public key of `jwk` for verifying `alg` signatures; rejects a JWK jose would not verify `alg` with. */
export function importVerificationKey(jwk: JWK, alg: string): Promise<KeyObject> {
  let byAlgorithm = importedKeys.get(jwk);
  if (!byAlgorithm) {
    Object.freeze(jwk.key_ops);
    Object.freeze(jwk);
    byAlgorithm = new Map();
    importedKeys.set(jwk, byAlgorithm);
  }
  let key = byAlgorithm.get(alg);
  if (!key) {
    key = importKey(jwk, alg);
    byAlgorithm.set(alg, key);
  }
  return key;
}

// Tokens each key has verified, and with which algorithm: a relying party sees the same token again
// and again (a workload presents its JWT-SVID on every request while it lives), and crypto.verify
// answers the same for the same token and key, so the arithmetic is done once per token. Only
// tokens that verified are kept, at most MAX_VERIFIED_TOKENS per key, the oldest let go first.
const MAX_VERIFIED_TOKENS = 1024;
const verifiedTokens = new WeakMap<KeyObject, Map<string, string>>();

function checkSignature(token: string, key: KeyObject, alg: string): boolean {
  const { hash, verifyOptions } = parametersOf(alg);
  const dot = token.lastIndexOf(".");
  const encoded = token.slice(dot + 1);
  // base64url text of 4n+1 characters encodes no bytes (jose's decoder refused it; Buffer
  // would drop the last character, so a signature could carry one of any value).
  if (encoded.length % 4 === 1) return false;
  return verify(hash, Buffer.from(token.slice(0, dot), "latin1"), { key, ...verifyOptions }, Buffer.from(encoded, "base64url"));
}

/**
 * Whether the compact JWS `token` (already split into exactly three base64url parts) carries a
 * valid `alg` signature by `key` over its first two parts.
 */
export function verifySignature(token: string, key: KeyObject, alg: string): boolean {
  let verified = verifiedTokens.get(key);
  if (verified?.get(token) === alg) return true;
  if (!checkSignature(token, key, alg)) return false;
  if (!verified) verifiedTokens.set(key, (verified = new Map()));
  verified.set(token, alg);
  if (verified.size > MAX_VERIFIED_TOKENS) verified.delete(verified.keys().next().value as string);
  return true;
}
