import { constants, verify } from "node:crypto";
import type { KeyObject, VerifyKeyObjectInput } from "node:crypto";
import { DerTag, contextTag, equalBytes } from "../internal/der/der-element.js";
import { DerReader, type DerElement } from "../internal/der/der-reader.js";
import { encodeNull, encodeOid, encodeSequence } from "../internal/der/der-writer.js";
import { signatureAlgorithmFor } from "../keymanager/spec.js";
import type { KeySpec } from "../keymanager/types.js";

/** An AlgorithmIdentifier as its DER holds it. */
export interface AlgorithmIdentifier {
  oid: string;
  /** DER of the parameters element, when there is one. */
  parameters?: Uint8Array;
  /** DER of the whole AlgorithmIdentifier. */
  encoded: Uint8Array;
}

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

/** The next element, an AlgorithmIdentifier: SEQUENCE { OBJECT IDENTIFIER, parameters ANY OPTIONAL }. */
export function readAlgorithmIdentifier(reader: DerReader, what: string): AlgorithmIdentifier {
  const element = reader.read(DerTag.SEQUENCE, what);
  const algorithm = new DerReader(element.content, (message) => reader.fail(message));
  const oid = algorithm.readOid(`${what} OID`);
  const parameters = algorithm.done ? undefined : algorithm.readAny(`${what} parameters`).encoded;
  algorithm.end(what);
  return parameters === undefined ? { oid, encoded: element.encoded } : { oid, parameters, encoded: element.encoded };
}

/**
 * The whole of `reader`, one signed structure (RFC 5280's SIGNED: a certificate, a CRL, a PKCS#10
 * request): SEQUENCE { tbs SEQUENCE, signatureAlgorithm, signature BIT STRING }, nothing after it.
 */
export function readSignedData(
  reader: DerReader,
  what: string,
  tbsName: string,
): { tbs: DerElement; signatureAlgorithm: AlgorithmIdentifier; signature: Uint8Array } {
  const signed = reader.enter(DerTag.SEQUENCE, what);
  reader.end(what);
  const tbs = signed.read(DerTag.SEQUENCE, tbsName);
  const signatureAlgorithm = readAlgorithmIdentifier(signed, "signature algorithm");
  const signature = signed.readOctetAlignedBitString("signature");
  signed.end(what);
  return { tbs, signatureAlgorithm, signature };
}

function isAbsentOrNull(parameters: Uint8Array | undefined): boolean {
  return parameters === undefined || equalBytes(parameters, DER_NULL);
}

function hashOf(alg: AlgorithmIdentifier): HashName | undefined {
  return Object.hasOwn(HASHES, alg.oid) && isAbsentOrNull(alg.parameters) ? HASHES[alg.oid] : undefined;
}

/** An AlgorithmIdentifier inside an EXPLICIT tag of RSASSA-PSS-params, if present. */
function readTaggedAlgorithm(params: DerReader, number: number, what: string): AlgorithmIdentifier | undefined {
  const field = params.readOptional(contextTag(number, true), what);
  if (!field) return undefined;
  const reader = new DerReader(field.content, (message) => params.fail(message));
  const algorithm = readAlgorithmIdentifier(reader, what);
  reader.end(what);
  return algorithm;
}

/** A small INTEGER inside an EXPLICIT tag of RSASSA-PSS-params, or its DEFAULT. */
function readTaggedInteger(params: DerReader, number: number, what: string, fallback: number): number {
  const field = params.readOptional(contextTag(number, true), what);
  if (!field) return fallback;
  const reader = new DerReader(field.content, (message) => params.fail(message));
  const value = reader.readSmallInteger(what);
  reader.end(what);
  return value;
}

/** RSASSA-PSS-params (RFC 4055) with SHA-256+ and MGF1 over the same hash, which node:crypto always uses. */
function resolvePss(parameters: Uint8Array | undefined): SignatureScheme | undefined {
  if (!parameters) return undefined;
  try {
    const reader = new DerReader(parameters, (message) => new RangeError(message));
    const params = reader.enter(DerTag.SEQUENCE, "RSASSA-PSS-params");
    reader.end("RSASSA-PSS-params");
    const hashAlgorithm = readTaggedAlgorithm(params, 0, "hash algorithm");
    const mgf = readTaggedAlgorithm(params, 1, "mask generation algorithm");
    const saltLength = readTaggedInteger(params, 2, "salt length", 20);
    const trailerField = readTaggedInteger(params, 3, "trailer field", 1);
    params.end("RSASSA-PSS-params");
    const hash = hashAlgorithm && hashOf(hashAlgorithm);
    if (!hash || mgf?.oid !== MGF1 || !mgf.parameters || trailerField !== 1) return undefined;
    const mgfHash = new DerReader(mgf.parameters, (message) => new RangeError(message));
    if (hashOf(readAlgorithmIdentifier(mgfHash, "MGF1 hash")) !== hash || !mgfHash.done) return undefined;
    return { kind: "rsa-pss", hash, saltLength };
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

/**
 * The scheme of a signature AlgorithmIdentifier when Tessera accepts it (ECDSA or RSA with SHA-256,
 * SHA-384 or SHA-512, PKCS#1 v1.5 or PSS with MGF1 over the same hash); undefined otherwise.
 */
export function resolveSignatureScheme(alg: AlgorithmIdentifier): SignatureScheme | undefined {
  if (Object.hasOwn(ECDSA, alg.oid)) {
    return alg.parameters === undefined ? { kind: "ecdsa", hash: ECDSA[alg.oid]! } : undefined;
  }
  if (Object.hasOwn(RSA_PKCS1, alg.oid)) {
    return isAbsentOrNull(alg.parameters) ? { kind: "rsa-pkcs1", hash: RSA_PKCS1[alg.oid]! } : undefined;
  }
  if (alg.oid === RSASSA_PSS) return resolvePss(alg.parameters);
  return undefined;
}

/** The key argument of node's `verify` for `scheme`, or undefined when the key type does not fit it. */
function verifyKeyFor(scheme: SignatureScheme, publicKey: KeyObject): KeyObject | VerifyKeyObjectInput | undefined {
  const keyType = publicKey.asymmetricKeyType;
  switch (scheme.kind) {
    case "ecdsa":
      return keyType === "ec" ? publicKey : undefined;
    case "rsa-pkcs1":
      return keyType === "rsa" ? publicKey : undefined;
    case "rsa-pss":
      return keyType === "rsa" || keyType === "rsa-pss"
        ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength! }
        : undefined;
  }
}

/** True when `signature` over `data` verifies with `publicKey` under `scheme`, whose key type must fit. */
export function verifySignature(scheme: SignatureScheme, data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  const key = verifyKeyFor(scheme, publicKey);
  try {
    return key !== undefined && verify(scheme.hash, data, key, signature);
  } catch {
    return false;
  }
}

/**
 * `verifySignature` run in libuv's thread pool: the calling thread only queues the check, so the
 * signatures of concurrent requests are checked on the machine's other cores.
 */
export function verifySignatureInThreadPool(
  scheme: SignatureScheme,
  data: Uint8Array,
  signature: Uint8Array,
  publicKey: KeyObject,
): Promise<boolean> {
  const key = verifyKeyFor(scheme, publicKey);
  if (key === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      verify(scheme.hash, data, key, signature, (err, valid) => resolve(err === null && valid));
    } catch {
      resolve(false);
    }
  });
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
