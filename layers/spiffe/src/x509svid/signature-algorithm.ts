import { constants, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { RsaSaPssParams } from "@peculiar/asn1-rsa";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { signatureAlgorithmFor } from "../keymanager/spec.js";
import type { KeySpec } from "../keymanager/types.js";
import { equalBytes } from "./certificate.js";
import { encodeNull, encodeOid, encodeSequence } from "./der-writer.js";

/** A hash Tessera accepts in a signature: SHA-256 or stronger. */
export type HashName = "sha256" | "sha384" | "sha512";

/** How to check a signature made with an accepted algorithm. */
export interface SignatureScheme {
  kind: "ecdsa" | "rsa-pkcs1" | "rsa-pss";
  hash: HashName;
  saltLength?: number;
}

const ECDSA: Record<string, HashName> = {
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
};
const RSA_PKCS1: Record<string, HashName> = {
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
};
const HASHES: Record<string, HashName> = {
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};
const RSASSA_PSS = "1.2.840.113549.1.1.10";
const MGF1 = "1.2.840.113549.1.1.8";
const DER_NULL = new Uint8Array([0x05, 0x00]);

function isAbsentOrNull(parameters: ArrayBuffer | null | undefined): boolean {
  return parameters === undefined || parameters === null || equalBytes(new Uint8Array(parameters), DER_NULL);
}

function hashOf(alg: AlgorithmIdentifier): HashName | undefined {
  return Object.hasOwn(HASHES, alg.algorithm) && isAbsentOrNull(alg.parameters) ? HASHES[alg.algorithm] : undefined;
}

function resolvePss(parameters: ArrayBuffer | null | undefined): SignatureScheme | undefined {
  if (!parameters) return undefined;
  let params: RsaSaPssParams;
  try {
    params = AsnConvert.parse(parameters, RsaSaPssParams);
  } catch {
    return undefined;
  }
  const hash = hashOf(params.hashAlgorithm);
  const mgf = params.maskGenAlgorithm;
  if (!hash || mgf.algorithm !== MGF1 || !mgf.parameters || params.trailerField !== 1) return undefined;
  let mgfHash: HashName | undefined;
  try {
    mgfHash = hashOf(AsnConvert.parse(mgf.parameters, AlgorithmIdentifier));
  } catch {
    return undefined;
  }
  // node:crypto always uses the signature hash for MGF1.
  if (mgfHash !== hash) return undefined;
  return { kind: "rsa-pss", hash, saltLength: params.saltLength };
}

/**
 * The scheme of a signature AlgorithmIdentifier when Tessera accepts it (ECDSA or RSA with SHA-256,
 * SHA-384 or SHA-512, PKCS#1 v1.5 or PSS with MGF1 over the same hash); undefined otherwise.
 */
export function resolveSignatureScheme(alg: AlgorithmIdentifier): SignatureScheme | undefined {
  if (Object.hasOwn(ECDSA, alg.algorithm)) {
    return alg.parameters === undefined ? { kind: "ecdsa", hash: ECDSA[alg.algorithm]! } : undefined;
  }
  if (Object.hasOwn(RSA_PKCS1, alg.algorithm)) {
    return isAbsentOrNull(alg.parameters) ? { kind: "rsa-pkcs1", hash: RSA_PKCS1[alg.algorithm]! } : undefined;
  }
  if (alg.algorithm === RSASSA_PSS) return resolvePss(alg.parameters);
  return undefined;
}

/** True when `signature` over `data` verifies with `publicKey` under `scheme`, whose key type must fit. */
export function verifySignature(scheme: SignatureScheme, data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  const keyType = publicKey.asymmetricKeyType;
  try {
    switch (scheme.kind) {
      case "ecdsa":
        return keyType === "ec" && verify(scheme.hash, data, publicKey, signature);
      case "rsa-pkcs1":
        return keyType === "rsa" && verify(scheme.hash, data, publicKey, signature);
      case "rsa-pss":
        return (
          (keyType === "rsa" || keyType === "rsa-pss") &&
          verify(scheme.hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }, signature)
        );
    }
  } catch {
    return false;
  }
}

/** DER of the signature AlgorithmIdentifier of a key spec: ECDSA without parameters, RSA PKCS#1 v1.5 with NULL. */
export function encodeSignatureAlgorithm(spec: KeySpec): Uint8Array {
  const oid = encodeOid(signatureAlgorithmFor(spec).oid);
  return spec.startsWith("ECC_") ? encodeSequence(oid) : encodeSequence(oid, encodeNull());
}

/** How a signature made by a key of `spec` is checked. */
export function signatureSchemeFor(spec: KeySpec): SignatureScheme {
  const { hash } = signatureAlgorithmFor(spec);
  return { kind: spec.startsWith("ECC_") ? "ecdsa" : "rsa-pkcs1", hash };
}

/** True when two AlgorithmIdentifiers have the same DER encoding. */
export function sameAlgorithmIdentifier(a: AlgorithmIdentifier, b: AlgorithmIdentifier): boolean {
  return equalBytes(new Uint8Array(AsnConvert.serialize(a)), new Uint8Array(AsnConvert.serialize(b)));
}
