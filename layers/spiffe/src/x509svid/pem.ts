import { X509SvidInvalidError } from "../errors.js";
import { parseCertificate } from "./certificate.js";
import { measureDerElement } from "../internal/der/der-element.js";
import { decodePem, encodePem } from "../internal/der/pem.js";

/** True when `bytes` are DER (a SEQUENCE, as every certificate and CSR) rather than PEM text. */
export function looksLikeDer(bytes: Uint8Array): boolean {
  return bytes[0] === 0x30;
}

/** PEM text (`CERTIFICATE` blocks, 64-column base64, trailing newline) for one or more DER certificates. */
export function encodeCertificatePem(der: Uint8Array | readonly Uint8Array[]): string {
  const certificates = der instanceof Uint8Array ? [der] : der;
  return certificates.map((c) => encodePem("CERTIFICATE", c)).join("");
}

function invalid(message: string): X509SvidInvalidError {
  return new X509SvidInvalidError(`x509svid: ${message}`);
}

function splitDer(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const length = measureDerElement(bytes, offset);
    if (length === undefined) throw invalid("malformed DER certificate data");
    out.push(bytes.slice(offset, offset + length));
    offset += length;
  }
  return out;
}

/**
 * The DER certificates in `pemOrDer`: PEM text with `CERTIFICATE` blocks, or one or more concatenated
 * DER certificates. Each is parsed to make sure it is a certificate; blank input gives `[]`.
 */
export function parseCertificates(pemOrDer: string | Uint8Array): Uint8Array[] {
  if (typeof pemOrDer !== "string" && !(pemOrDer instanceof Uint8Array)) {
    throw new TypeError("x509svid: certificates must be a string or a Uint8Array");
  }
  const certificates = typeof pemOrDer === "string" || !looksLikeDer(pemOrDer) ? certificatesInPem(pemOrDer) : splitDer(pemOrDer);
  for (const der of certificates) parseCertificate(der);
  return certificates;
}

function certificatesInPem(pem: string | Uint8Array): Uint8Array[] {
  const text = typeof pem === "string" ? pem : Buffer.from(pem).toString("latin1");
  if (text.trim() === "") return [];
  const blocks = decodePem(text, (message) => invalid(`malformed PEM: ${message}`));
  const other = blocks.find((b) => b.label !== "CERTIFICATE");
  if (other) throw invalid(`unexpected PEM block "${other.label}"`);
  if (blocks.length === 0) throw invalid("no certificates found");
  return blocks.map((b) => b.der);
}
