import { createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { KeyUnsupportedError } from "../errors.js";
import type { CsrKeyType } from "./types.js";

const CURVES: Record<string, CsrKeyType> = { prime256v1: "EC-P256", secp384r1: "EC-P384" };
const RSA_SIZES: Record<number, CsrKeyType> = { 2048: "RSA-2048", 3072: "RSA-3072", 4096: "RSA-4096" };
const MIN_RSA_EXPONENT = 65537n;

/**
 * The key type of a public key Tessera accepts for an SVID: EC P-256 or P-384, RSA of 2048, 3072
 * or 4096 bits with an odd public exponent of at least 65537. Throws `KeyUnsupportedError` otherwise.
 */
export function classifyPublicKey(key: KeyObject): CsrKeyType {
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
    if (e < MIN_RSA_EXPONENT || e % 2n === 0n) throw new KeyUnsupportedError("x509svid: RSA public exponent must be odd and at least 65537");
    return type;
  }
  throw new KeyUnsupportedError(`x509svid: ${key.asymmetricKeyType ?? "unknown"} keys are not supported; use EC or RSA`);
}

/** A public KeyObject from DER SubjectPublicKeyInfo; throws `KeyUnsupportedError` when node cannot read it. */
export function publicKeyFromSpki(spki: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  } catch (err) {
    throw new KeyUnsupportedError("x509svid: public key cannot be read", { cause: err });
  }
}

// OpenSSL 3's key encoders are slow (tens of microseconds); KeyObjects are immutable, so each one's
// encoding is computed once.
const spkiByKey = new WeakMap<KeyObject, Uint8Array>();

/** DER SubjectPublicKeyInfo of a public key (computed once per KeyObject; do not modify the result). */
export function spkiOf(key: KeyObject): Uint8Array {
  let spki = spkiByKey.get(key);
  if (!spki) {
    spki = new Uint8Array(key.export({ format: "der", type: "spki" }));
    spkiByKey.set(key, spki);
  }
  return spki;
}
