import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { BundleInvalidError } from "../errors.js";
import { decodeStrictBase64 } from "../internal/der/pem.js";
import type { TrustDomain } from "../spiffeid/index.js";
import { Bundle } from "./bundle.js";
import { createJwk } from "./create-jwk.js";
import { readCertificate } from "./read-certificate.js";

type JsonObject = Record<string, unknown>;

const KNOWN_KEY_TYPES = new Set(["EC", "RSA"]);
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"];

function invalid(message: string, cause?: unknown): BundleInvalidError {
  return new BundleInvalidError(`bundle: ${message}`, { cause });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readDocument(json: string | object): JsonObject {
  let doc: unknown = json;
  if (typeof json === "string") {
    try {
      doc = JSON.parse(json);
    } catch (err) {
      throw invalid("document is not valid JSON", err);
    }
  }
  if (!isObject(doc)) throw invalid("document must be a JSON object");
  return doc;
}

function readCount(doc: JsonObject, member: string): number | undefined {
  const value = doc[member];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`${member} must be a non-negative integer (at most 2^53-1)`);
  }
  return value;
}

function publicKeyOf(entry: JsonObject, where: string): KeyObject {
  try {
    return createPublicKey({ key: entry as JsonWebKey, format: "jwk" });
  } catch (err) {
    throw invalid(`${where} is not a valid ${String(entry.kty)} public key`, err);
  }
}

function readX509Authority(entry: JsonObject, where: string): Uint8Array {
  const x5c = entry.x5c;
  const count = Array.isArray(x5c) ? x5c.length : 0;
  if (!Array.isArray(x5c) || count !== 1) {
    throw invalid(`${where} (x509-svid) must carry exactly one x5c certificate, has ${count}`);
  }
  const der = typeof x5c[0] === "string" ? decodeStrictBase64(x5c[0]) : undefined;
  if (!der) throw invalid(`${where} x5c[0] is not base64`);
  const cert = readCertificate(der, `${where} x5c[0]`);
  const spki = { format: "der", type: "spki" } as const;
  if (!publicKeyOf(entry, where).export(spki).equals(cert.publicKey.export(spki))) {
    throw invalid(`${where} public key does not match its x5c certificate`);
  }
  return new Uint8Array(der);
}

function readJwtAuthority(entry: JsonObject, where: string): [string, JWK] {
  const kid = entry.kid;
  if (typeof kid !== "string" || kid === "") throw invalid(`${where} (jwt-svid) must have a kid`);
  const publicKey = publicKeyOf(entry, where);
  try {
    return [kid, createJwk(publicKey, "jwt-svid", kid)];
  } catch (err) {
    throw invalid(`${where} (jwt-svid) is not a supported key`, err);
  }
}

/**
 * Parse and validate a SPIFFE bundle document (a JWK Set) for `trustDomain`. Entries with an
 * unknown `use` or key type are ignored, as the standard requires; anything malformed, any private
 * key member and any duplicate `kid` throws `BundleInvalidError`.
 */
export function parseSpiffeBundle(json: string | object, trustDomain: TrustDomain): Bundle {
  const doc = readDocument(json);
  if (!Array.isArray(doc.keys)) throw invalid(doc.keys === undefined ? "keys is missing" : "keys must be an array");
  const sequence = readCount(doc, "spiffe_sequence");
  const refreshHintSeconds = readCount(doc, "spiffe_refresh_hint");
  const x509 = new Map<string, Uint8Array>();
  const jwt = new Map<string, JWK>();
  doc.keys.forEach((entry: unknown, i: number) => {
    const where = `keys[${i}]`;
    if (!isObject(entry)) throw invalid(`${where} must be a JSON object`);
    const secret = PRIVATE_MEMBERS.find((member) => member in entry);
    if (secret !== undefined) throw invalid(`${where} has the private key member "${secret}"`);
    if (typeof entry.kty !== "string" || entry.kty === "") throw invalid(`${where} has no kty`);
    if (!KNOWN_KEY_TYPES.has(entry.kty)) return;
    if (entry.use === "x509-svid") {
      const der = readX509Authority(entry, where);
      x509.set(Buffer.from(der).toString("base64"), der);
    } else if (entry.use === "jwt-svid") {
      const [kid, jwk] = readJwtAuthority(entry, where);
      if (jwt.has(kid)) throw invalid(`${where} repeats the jwt-svid kid ${JSON.stringify(kid)}`);
      jwt.set(kid, jwk);
    }
  });
  return new Bundle({ trustDomain, x509Authorities: x509.values(), jwtAuthorities: jwt, sequence, refreshHintSeconds });
}
