import { CsrInvalidError } from "../errors.js";
import {
  KeyUsageFlags,
  OID_BASIC_CONSTRAINTS,
  OID_KEY_USAGE,
  OID_SUBJECT_ALT_NAME,
  decodeBasicConstraints,
  decodeKeyUsage,
  decodeSubjectAltName,
  readExtensions,
} from "./certificate-extensions.js";
import type { RawExtension } from "./certificate-extensions.js";
import { DerTag, contextTag, measureDerElement } from "../internal/der/der-element.js";
import { DerReader } from "../internal/der/der-reader.js";
import type { DerFailure } from "../internal/der/der-reader.js";
import { classifyPublicKey, importPublicKeyFromSpki, readSubjectPublicKeyInfo, spkiOf } from "./key-type.js";
import { decodePem } from "../internal/der/pem.js";
import { looksLikeDer } from "./pem.js";
import { readSignedData, resolveSignatureScheme, verifySignature } from "./signature-algorithm.js";
import type { AlgorithmIdentifier } from "./signature-algorithm.js";
import { readName } from "./subject-name.js";
import type { ParseCsrResult } from "./types.js";

/** Upper bound on a CSR's size, PEM or DER; a real one is well under 2 KiB. */
export const MAX_CSR_BYTES = 16 * 1024;
const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const PEM_LABELS = new Set(["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]);

/** The parts of a PKCS#10 request Tessera uses, as its DER holds them. */
interface CertificationRequest {
  /** The signed bytes: the DER CertificationRequestInfo. */
  infoDer: Uint8Array;
  /** DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
  /** The requested extensions, empty when there is no extension request. */
  extensions: RawExtension[];
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
}

function invalid(message: string, cause?: unknown): CsrInvalidError {
  return new CsrInvalidError(`x509svid: ${message}`, cause === undefined ? undefined : { cause });
}

const malformed: DerFailure = (message) => invalid(`malformed CSR: ${message}`);

function toDer(csr: string | Uint8Array): Uint8Array {
  if (typeof csr !== "string" && !(csr instanceof Uint8Array)) throw new TypeError("x509svid: CSR must be a string or a Uint8Array");
  const size = typeof csr === "string" ? Buffer.byteLength(csr, "utf8") : csr.length;
  if (size > MAX_CSR_BYTES) throw invalid(`CSR is larger than ${MAX_CSR_BYTES} bytes`);
  if (typeof csr !== "string" && looksLikeDer(csr)) return csr;
  const blocks = decodePem(typeof csr === "string" ? csr : Buffer.from(csr).toString("latin1"), (message) =>
    invalid(`malformed PEM: ${message}`),
  );
  if (blocks.length !== 1 || !PEM_LABELS.has(blocks[0]!.label)) {
    throw invalid("CSR must be one PEM block labelled CERTIFICATE REQUEST");
  }
  return blocks[0]!.der;
}

/** The extensions of the one extension request among the attributes ([0] IMPLICIT SET OF Attribute), if any. */
function readRequestedExtensions(attributes: DerReader): RawExtension[] {
  let extensions: RawExtension[] | undefined;
  while (!attributes.done) {
    const attribute = attributes.enter(DerTag.SEQUENCE, "attribute");
    const type = attribute.readOid("attribute type");
    const values = attribute.enter(DerTag.SET, "attribute values");
    attribute.end("attribute");
    if (type !== EXTENSION_REQUEST) {
      while (!values.done) values.readAny("attribute value");
      continue;
    }
    if (extensions) throw invalid("CSR has more than one extension request");
    extensions = readExtensions(values.enter(DerTag.SEQUENCE, "extension request"));
    if (!values.done) throw invalid("CSR has more than one extension request");
  }
  return extensions ?? [];
}

/** Read a DER PKCS#10 CertificationRequest (RFC 2986) strictly: every element well-formed DER, nothing left over. */
function readCertificationRequest(der: Uint8Array): CertificationRequest {
  if (measureDerElement(der) !== der.length) throw invalid("CSR is not a single DER element");
  const reader = new DerReader(der, malformed);
  const { tbs: infoElement, signatureAlgorithm, signature } = readSignedData(reader, "CSR", "certification request info");

  const info = new DerReader(infoElement.content, malformed);
  if (info.readSmallInteger("version") !== 0) throw invalid("CSR version must be 1");
  readName(info, "subject");
  const spki = readSubjectPublicKeyInfo(info).encoded;
  const attributes = info.readOptional(contextTag(0, true), "attributes");
  info.end("certification request info");
  const extensions = attributes ? readRequestedExtensions(new DerReader(attributes.content, malformed)) : [];
  return { infoDer: infoElement.encoded, spki, extensions, signatureAlgorithm, signature };
}

const malformedExtension: DerFailure = (message) => invalid(`malformed extension in CSR: ${message}`);

/** Refuses a CSR asking to be a CA; returns the URI SANs it asks for. */
function checkRequestedExtensions(extensions: readonly RawExtension[]): string[] | undefined {
  let uris: string[] | undefined;
  for (const { oid, value } of extensions) {
    if (oid === OID_BASIC_CONSTRAINTS && decodeBasicConstraints(value, malformedExtension).cA) {
      throw invalid("CSR must not request a CA certificate (basicConstraints CA:true)");
    }
    if (oid === OID_KEY_USAGE && decodeKeyUsage(value, malformedExtension) & (KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)) {
      throw invalid("CSR must not request key usage keyCertSign or cRLSign");
    }
    if (oid === OID_SUBJECT_ALT_NAME) {
      const found = decodeSubjectAltName(value, malformedExtension).uris;
      if (found.length > 0) uris = found;
    }
  }
  return uris;
}

/**
 * Parse and validate a PKCS#10 CSR (PEM or DER, at most 16 KiB): well-formed, a key Tessera accepts
 * (EC P-256/P-384, RSA 2048/3072/4096, else `KeyUnsupportedError`), its own signature correct with
 * SHA-256 or stronger (proof of possession), and no request for CA:true, keyCertSign or cRLSign
 * (else `CsrInvalidError`). The CSR's subject and requested names are not trusted for anything.
 * Asynchronous only because an EC key is imported through WebCrypto (`importPublicKeyFromSpki`).
 */
export async function parseCsr(csr: string | Uint8Array): Promise<ParseCsrResult> {
  const request = readCertificationRequest(toDer(csr));
  const publicKey = await importPublicKeyFromSpki(request.spki);
  const keyType = classifyPublicKey(publicKey);
  const scheme = resolveSignatureScheme(request.signatureAlgorithm);
  if (!scheme) throw invalid(`CSR signature algorithm ${request.signatureAlgorithm.oid} is not allowed; use SHA-256 or stronger`);
  if (!verifySignature(scheme, request.infoDer, request.signature, publicKey)) {
    throw invalid("CSR signature does not verify with its public key");
  }
  const requestedSpiffeIds = checkRequestedExtensions(request.extensions);
  const result: ParseCsrResult = { publicKey, spki: spkiOf(publicKey), keyType };
  if (requestedSpiffeIds) result.requestedSpiffeIds = requestedSpiffeIds;
  return result;
}
