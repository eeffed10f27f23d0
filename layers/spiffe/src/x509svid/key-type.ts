import { createPublicKey, KeyObject, webcrypto } from "node:crypto";
import type { JsonWebKey } from "node:crypto";
import { KeyUnsupportedError } from "../errors.js";
import { DerTag, equalBytes } from "../internal/der/der-element.js";
import { DerReader } from "../internal/der/der-reader.js";
import { readAlgorithmIdentifier } from "./signature-algorithm.js";
import type { AlgorithmIdentifier } from "./signature-algorithm.js";
import type { CsrKeyType } from "./types.js";

/** A SubjectPublicKeyInfo as its DER holds it. */
export interface SubjectPublicKeyInfo {
  /** DER of the whole SubjectPublicKeyInfo. */
  encoded: Uint8Array;
  algorithm: AlgorithmIdentifier;
  /** The subjectPublicKey BIT STRING's octets. */
  publicKey: Uint8Array;
}

/** The next element, a SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier, BIT STRING of whole octets }. */
export function readSubjectPublicKeyInfo(reader: DerReader): SubjectPublicKeyInfo {
  const element = reader.read(DerTag.SEQUENCE, "subject public key info");
  const info = new DerReader(element.content, (message) => reader.fail(message));
  const algorithm = readAlgorithmIdentifier(info, "public key algorithm");
  const publicKey = info.readOctetAlignedBitString("subject public key");
  info.end("subject public key info");
  return { encoded: element.encoded, algorithm, publicKey };
}

const CURVES: Record<string, CsrKeyType> = { prime256v1: "EC-P256", secp384r1: "EC-P384" };
const RSA_SIZES: Record<number, CsrKeyType> = { 2048: "RSA-2048", 3072: "RSA-3072", 4096: "RSA-4096" };
const MIN_RSA_EXPONENT = 65537n;

/**
 * The key type of a public key Tessera accepts for an SVID: EC P-256 or P-384, RSA of 2048, 3072
 * or 4096 bits with an odd public exponent of at least 65537. Throws `KeyUnsupportedError` otherwise.
 */
export function classifyPublicKey(key: KeyObject): CsrKeyType {
  let type = keyTypes.get(key);
  if (!type) {
    type = classify(key);
    keyTypes.set(key, type);
  }
  return type;
}

// KeyObjects are immutable: a key is classified once, however many steps (CSR, signing) ask.
const keyTypes = new WeakMap<KeyObject, CsrKeyType>();

function classify(key: KeyObject): CsrKeyType {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "ec") {
    const type = details.namedCurve === undefined ? undefined : CURVES[details.namedCurve];
    if (type) return type;
    throw new KeyUnsupportedError(`x509svid: EC curve ${details.namedCurve ?? "(unnamed)"} is not supported; use P-256 or P-384`);
  }
  if (key.asymmetricKeyType === "rsa") {
    const bits = details.modulusLength ?? 0;
    const type = RSA_SIZES[bits];
    if (!type) throw new KeyUnsupportedError(`x509svid: RSA keys of ${bits} bits are not supported; use 2048, 3072 or 4096`);
    const e = details.publicExponent ?? 0n;
    if (e < MIN_RSA_EXPONENT || e % 2n === 0n)
      throw new KeyUnsupportedError("x509svid: RSA public exponent must be odd and at least 65537");
    return type;
  }
  throw new KeyUnsupportedError(`x509svid: ${key.asymmetricKeyType ?? "unknown"} keys are not supported; use EC or RSA`);
}

const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const DER_NULL = Uint8Array.of(DerTag.NULL, 0);
/** Named curves Tessera accepts, by OID, with their JWK name and the length of an uncompressed point. */
const CURVES_BY_OID: Record<string, { crv: string; pointLength: number }> = {
  "1.2.840.10045.3.1.7": { crv: "P-256", pointLength: 65 },
  "1.3.132.0.34": { crv: "P-384", pointLength: 97 },
};

/** A positive DER INTEGER's content as a JWK member: base64url of the unsigned big-endian value. */
function unsignedBase64Url(integer: Uint8Array): string {
  return Buffer.from(integer[0] === 0 ? integer.subarray(1) : integer).toString("base64url");
}

/** A key in canonical form: its JWK and, for an EC key, its uncompressed point. */
interface CanonicalKey {
  jwk: JsonWebKey;
  ecPoint?: Uint8Array;
}

/**
 * The JWK of `spki` when it is in the one form OpenSSL writes for an EC P-256/P-384 or RSA key, all
 * in strict DER: named curve and uncompressed point, or RSA with NULL parameters and a minimal
 * RSAPublicKey. A key read from such bytes encodes back to the very same bytes.
 */
function canonicalKeyOf(spki: Uint8Array): CanonicalKey | undefined {
  const fail = (message: string): Error => new RangeError(message);
  try {
    const reader = new DerReader(spki, fail);
    const { algorithm, publicKey } = readSubjectPublicKeyInfo(reader);
    reader.end("SubjectPublicKeyInfo");
    if (algorithm.oid === EC_PUBLIC_KEY) {
      const parameters = new DerReader(algorithm.parameters ?? new Uint8Array(), fail);
      const curve = CURVES_BY_OID[parameters.readOid("named curve")];
      parameters.end("named curve");
      if (!curve || publicKey.length !== curve.pointLength || publicKey[0] !== 0x04) return undefined;
      const half = (curve.pointLength - 1) / 2;
      const coordinate = (from: number) => Buffer.from(publicKey.subarray(from, from + half)).toString("base64url");
      return { jwk: { kty: "EC", crv: curve.crv, x: coordinate(1), y: coordinate(1 + half) }, ecPoint: publicKey };
    }
    if (algorithm.oid !== RSA_ENCRYPTION || !equalBytes(algorithm.parameters ?? new Uint8Array(), DER_NULL)) return undefined;
    const rsaKey = new DerReader(publicKey, fail);
    const integers = rsaKey.enter(DerTag.SEQUENCE, "RSAPublicKey");
    rsaKey.end("RSAPublicKey");
    const [n, e] = [integers.readInteger("modulus"), integers.readInteger("public exponent")];
    integers.end("RSAPublicKey");
    if (n[0]! >= 0x80 || e[0]! >= 0x80) return undefined;
    return { jwk: { kty: "RSA", n: unsignedBase64Url(n), e: unsignedBase64Url(e) } };
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

// OpenSSL 3's DER key encoder and decoder are slow (about 80 µs a key each). KeyObjects are
// immutable, so each one's encoding is computed once, or known from the bytes it was read from.
const spkiByKey = new WeakMap<KeyObject, Uint8Array>();
// Likewise the JWK a key was imported from is its export (about 13 µs a P-256 key to ask OpenSSL again).
const jwkByKey = new WeakMap<KeyObject, JsonWebKey>();

function unreadable(err: unknown): KeyUnsupportedError {
  return new KeyUnsupportedError("x509svid: public key cannot be read", { cause: err });
}

/** A key read from canonical bytes: its encodings are the bytes and the JWK it was read from. */
function remember(key: KeyObject, spki: Uint8Array, jwk: JsonWebKey): KeyObject {
  spkiByKey.set(key, new Uint8Array(spki));
  jwkByKey.set(key, jwk);
  return key;
}

/**
 * A public KeyObject from DER SubjectPublicKeyInfo; throws `KeyUnsupportedError` when node cannot
 * read it (an EC point off its curve included). Bytes in canonical form are read as the JWK they
 * hold, which OpenSSL imports at a fraction of the cost of its DER decoder (about 40 µs less for a
 * P-256 key, 110 µs less for RSA-2048), and are remembered as the key's `spkiOf`.
 */
export function publicKeyFromSpki(spki: Uint8Array): KeyObject {
  const canonical = canonicalKeyOf(spki);
  if (!canonical) {
    try {
      return createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
    } catch (err) {
      throw unreadable(err);
    }
  }
  try {
    return remember(createPublicKey({ key: canonical.jwk, format: "jwk" }), spki, canonical.jwk);
  } catch (err) {
    throw unreadable(err);
  }
}

/**
 * `publicKeyFromSpki` for a key read once and checked against one signature (a CSR's): a canonical
 * EC P-256/P-384 key is imported from its uncompressed point, where OpenSSL checks that the point
 * lies on its curve (the whole check on these curves, whose cofactor is 1), instead of from its
 * JWK, where OpenSSL also multiplies the point by the group order. About 30 µs less per P-256 key,
 * import and first signature check together. Rejects with `KeyUnsupportedError` as
 * `publicKeyFromSpki` throws; every other key is read as it reads them.
 */
export async function importPublicKeyFromSpki(spki: Uint8Array): Promise<KeyObject> {
  const canonical = canonicalKeyOf(spki);
  if (canonical?.ecPoint === undefined) return publicKeyFromSpki(spki);
  const algorithm = { name: "ECDSA", namedCurve: canonical.jwk.crv! };
  let key: KeyObject;
  try {
    key = KeyObject.from(await webcrypto.subtle.importKey("raw", canonical.ecPoint, algorithm, true, ["verify"]));
  } catch (err) {
    throw unreadable(err);
  }
  return remember(key, spki, canonical.jwk);
}

/** The public JWK of a public key (exported once per KeyObject; do not modify the result). */
export function publicJwkOf(key: KeyObject): JsonWebKey {
  let jwk = jwkByKey.get(key);
  if (!jwk) {
    jwk = key.export({ format: "jwk" });
    jwkByKey.set(key, jwk);
  }
  return jwk;
}

/** DER SubjectPublicKeyInfo of a public key (computed once per KeyObject; do not modify the result). */
export function spkiOf(key: KeyObject): Uint8Array {
  let spki = spkiByKey.get(key);
  if (!spki) {
    spki = new Uint8Array(key.export({ format: "der", type: "spki" }));
    spkiByKey.set(key, spki);
  }
  return spki;
}
