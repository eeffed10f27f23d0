import { CertificationRequest } from "@peculiar/asn1-csr";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  Extensions,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectAltName,
} from "@peculiar/asn1-x509";
import type { Attribute } from "@peculiar/asn1-x509";
import { CsrInvalidError } from "../errors.js";
import { measureDerElement } from "./der-element.js";
import { classifyPublicKey, publicKeyFromSpki, spkiOf } from "./key-type.js";
import { decodePemBlocks, looksLikeDer } from "./pem.js";
import { resolveSignatureScheme, verifySignature } from "./signature-algorithm.js";
import type { ParseCsrResult } from "./types.js";

/** Upper bound on a CSR's size, PEM or DER; a real one is well under 2 KiB. */
export const MAX_CSR_BYTES = 16 * 1024;
const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const PEM_LABELS = new Set(["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]);

function invalid(message: string, cause?: unknown): CsrInvalidError {
  return new CsrInvalidError(`x509svid: ${message}`, cause === undefined ? undefined : { cause });
}

function toDer(csr: string | Uint8Array): Uint8Array {
  if (typeof csr !== "string" && !(csr instanceof Uint8Array)) throw new TypeError("x509svid: CSR must be a string or a Uint8Array");
  const size = typeof csr === "string" ? Buffer.byteLength(csr, "utf8") : csr.length;
  if (size > MAX_CSR_BYTES) throw invalid(`CSR is larger than ${MAX_CSR_BYTES} bytes`);
  if (typeof csr !== "string" && looksLikeDer(csr)) return csr;
  const blocks = decodePemBlocks(typeof csr === "string" ? csr : Buffer.from(csr).toString("latin1"));
  if (!blocks) throw invalid("malformed PEM");
  if (blocks.length !== 1 || !PEM_LABELS.has(blocks[0]!.label)) {
    throw invalid("CSR must be one PEM block labelled CERTIFICATE REQUEST");
  }
  return blocks[0]!.der;
}

function decode(der: Uint8Array): CertificationRequest {
  if (measureDerElement(der) !== der.length) throw invalid("CSR is not a single DER element");
  let csr: CertificationRequest;
  try {
    csr = AsnConvert.parse(der, CertificationRequest);
  } catch (err) {
    throw invalid("malformed CSR", err);
  }
  if (!csr.certificationRequestInfoRaw) throw invalid("malformed CSR");
  if (csr.certificationRequestInfo.version !== 0) throw invalid("CSR version must be 1");
  return csr;
}

function requestedExtensions(attributes: readonly Attribute[] | undefined): Extensions {
  const requests = (attributes ?? []).filter((a) => a.type === EXTENSION_REQUEST);
  if (requests.length === 0) return new Extensions();
  if (requests.length > 1 || requests[0]!.values.length !== 1) throw invalid("CSR has more than one extension request");
  try {
    return AsnConvert.parse(requests[0]!.values[0]!, Extensions);
  } catch (err) {
    throw invalid("malformed extension request in CSR", err);
  }
}

/** Refuses a CSR asking to be a CA; returns the URI SANs it asks for. */
function checkRequestedExtensions(extensions: Extensions): string[] | undefined {
  let uris: string[] | undefined;
  try {
    for (const ext of extensions) {
      if (ext.extnID === id_ce_basicConstraints && AsnConvert.parse(ext.extnValue, BasicConstraints).cA) {
        throw invalid("CSR must not request a CA certificate (basicConstraints CA:true)");
      }
      if (ext.extnID === id_ce_keyUsage) {
        const flags = AsnConvert.parse(ext.extnValue, KeyUsage).toNumber();
        if (flags & (KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)) throw invalid("CSR must not request key usage keyCertSign or cRLSign");
      }
      if (ext.extnID === id_ce_subjectAltName) {
        const found = [...AsnConvert.parse(ext.extnValue, SubjectAlternativeName)].flatMap((n) => n.uniformResourceIdentifier ?? []);
        if (found.length > 0) uris = found;
      }
    }
  } catch (err) {
    if (err instanceof CsrInvalidError) throw err;
    throw invalid("malformed extension in CSR", err);
  }
  return uris;
}

/**
 * Parse and validate a PKCS#10 CSR (PEM or DER, at most 16 KiB): well-formed, a key Tessera accepts
 * (EC P-256/P-384, RSA 2048/3072/4096, else `KeyUnsupportedError`), its own signature correct with
 * SHA-256 or stronger (proof of possession), and no request for CA:true, keyCertSign or cRLSign
 * (else `CsrInvalidError`). The CSR's subject and requested names are not trusted for anything.
 */
export function parseCsr(csr: string | Uint8Array): ParseCsrResult {
  const request = decode(toDer(csr));
  const info = request.certificationRequestInfo;
  const publicKey = publicKeyFromSpki(new Uint8Array(AsnConvert.serialize(info.subjectPKInfo)));
  const keyType = classifyPublicKey(publicKey);
  const scheme = resolveSignatureScheme(request.signatureAlgorithm);
  if (!scheme) throw invalid(`CSR signature algorithm ${request.signatureAlgorithm.algorithm} is not allowed; use SHA-256 or stronger`);
  const signed = new Uint8Array(request.certificationRequestInfoRaw!);
  if (!verifySignature(scheme, signed, new Uint8Array(request.signature), publicKey)) {
    throw invalid("CSR signature does not verify with its public key");
  }
  const requestedSpiffeIds = checkRequestedExtensions(requestedExtensions(info.attributes));
  const result: ParseCsrResult = { publicKey, spki: spkiOf(publicKey), keyType };
  if (requestedSpiffeIds) result.requestedSpiffeIds = requestedSpiffeIds;
  return result;
}
