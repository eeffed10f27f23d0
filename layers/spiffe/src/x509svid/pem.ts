import { X509SvidInvalidError } from "../errors.js";
import { parseCertificate } from "./certificate.js";
import { measureDerElement } from "../internal/der/der-element.js";

/** One PEM block: its label (`CERTIFICATE`) and its decoded bytes. */
export interface PemBlock {
  label: string;
  der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]{1,64})-----\r?\n([A-Za-z0-9+/=\s]*?)-----END \1-----/g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The PEM blocks of `text` (RFC 7468, strict base64, no headers), ignoring text between blocks;
 * undefined when a block is malformed or a BEGIN line has no matching END line.
 */
export function decodePemBlocks(text: string): PemBlock[] | undefined {
  const blocks: PemBlock[] = [];
  let consumed = 0;
  for (const match of text.matchAll(BLOCK)) {
    if (text.slice(consumed, match.index).includes("-----BEGIN")) return undefined;
    const body = match[2]!.replace(/\s+/g, "");
    if (!BASE64.test(body)) return undefined;
    blocks.push({ label: match[1]!, der: new Uint8Array(Buffer.from(body, "base64")) });
    consumed = match.index + match[0].length;
  }
  if (text.slice(consumed).includes("-----BEGIN")) return undefined;
  return blocks;
}

/** True when `bytes` are DER (a SEQUENCE, as every certificate and CSR) rather than PEM text. */
export function looksLikeDer(bytes: Uint8Array): boolean {
  return bytes[0] === 0x30;
}

/** PEM text (`CERTIFICATE` blocks, 64-column base64, trailing newline) for one or more DER certificates. */
export function encodeCertificatePem(der: Uint8Array | readonly Uint8Array[]): string {
  const certificates = der instanceof Uint8Array ? [der] : der;
  return certificates
    .map((c) => {
      const lines = Buffer.from(c).toString("base64").match(/.{1,64}/g) ?? [];
      return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
    })
    .join("");
}

function invalid(message: string): X509SvidInvalidError {
  return new X509SvidInvalidError(`x509svid: ${message}`);
}

function splitDer(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; ) {
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
  const certificates =
    typeof pemOrDer === "string" || !looksLikeDer(pemOrDer) ? certificatesInPem(pemOrDer) : splitDer(pemOrDer);
  for (const der of certificates) parseCertificate(der);
  return certificates;
}

function certificatesInPem(pem: string | Uint8Array): Uint8Array[] {
  const text = typeof pem === "string" ? pem : Buffer.from(pem).toString("latin1");
  if (text.trim() === "") return [];
  const blocks = decodePemBlocks(text);
  if (blocks === undefined) throw invalid("malformed PEM");
  const other = blocks.find((b) => b.label !== "CERTIFICATE");
  if (other) throw invalid(`unexpected PEM block "${other.label}"`);
  if (blocks.length === 0) throw invalid("no certificates found");
  return blocks.map((b) => b.der);
}
