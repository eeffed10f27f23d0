import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from "@peculiar/asn1-x509";
import type { AlgorithmIdentifier, Name } from "@peculiar/asn1-x509";
import { X509SvidInvalidError } from "../errors.js";
import { measureDerElement } from "./der-element.js";

/** One extension as it appears in the certificate. */
export interface RawExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** A certificate taken apart, with the extensions Tessera looks at decoded. Not yet validated. */
export interface ParsedCertificate {
  der: Uint8Array;
  /** The signed bytes, exactly as they appear in `der`. */
  tbsDer: Uint8Array;
  /** 0 for v1, 2 for v3. */
  version: number;
  /** Content octets of the serial number INTEGER (two's complement, big-endian). */
  serialNumber: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  tbsSignatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  issuer: Name;
  issuerDer: Uint8Array;
  subject: Name;
  subjectDer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  spkiDer: Uint8Array;
  extensions: RawExtension[];
  basicConstraints?: { critical: boolean; cA: boolean; pathLenConstraint?: number };
  keyUsage?: { critical: boolean; flags: number };
  extKeyUsage?: string[];
  uris: string[];
  dnsNames: string[];
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
}

function invalid(message: string, cause?: unknown): X509SvidInvalidError {
  return new X509SvidInvalidError(`x509svid: ${message}`, { cause });
}

function bytes(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
  return buffer instanceof ArrayBuffer
    ? new Uint8Array(buffer)
    : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function decodeExtension<T>(ext: RawExtension, target: new () => T, name: string): T {
  try {
    return AsnConvert.parse(ext.value, target);
  } catch (err) {
    throw invalid(`malformed ${name} extension`, err);
  }
}

function applyExtension(cert: ParsedCertificate, ext: RawExtension): void {
  switch (ext.oid) {
    case id_ce_basicConstraints: {
      const bc = decodeExtension(ext, BasicConstraints, "basic constraints");
      cert.basicConstraints = { critical: ext.critical, cA: bc.cA, pathLenConstraint: bc.pathLenConstraint };
      break;
    }
    case id_ce_keyUsage:
      cert.keyUsage = { critical: ext.critical, flags: decodeExtension(ext, KeyUsage, "key usage").toNumber() };
      break;
    case id_ce_extKeyUsage:
      cert.extKeyUsage = [...decodeExtension(ext, ExtendedKeyUsage, "extended key usage")];
      break;
    case id_ce_subjectAltName:
      for (const name of decodeExtension(ext, SubjectAlternativeName, "subject alternative name")) {
        if (name.uniformResourceIdentifier !== undefined) cert.uris.push(name.uniformResourceIdentifier);
        if (name.dNSName !== undefined) cert.dnsNames.push(name.dNSName);
      }
      break;
    case id_ce_subjectKeyIdentifier:
      cert.subjectKeyId = bytes(decodeExtension(ext, SubjectKeyIdentifier, "subject key identifier").buffer);
      break;
    case id_ce_authorityKeyIdentifier: {
      const aki = decodeExtension(ext, AuthorityKeyIdentifier, "authority key identifier");
      if (aki.keyIdentifier) cert.authorityKeyId = bytes(aki.keyIdentifier.buffer);
      break;
    }
  }
}

/**
 * Take a DER certificate apart (structure only: no signature, time or profile check). Throws
 * `X509SvidInvalidError` when the bytes are not exactly one well-formed certificate.
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  if (!(der instanceof Uint8Array)) throw new TypeError("x509svid: certificate must be a Uint8Array");
  if (measureDerElement(der) !== der.length) throw invalid("certificate is not a single DER element");
  let asn: Certificate;
  try {
    asn = AsnConvert.parse(der, Certificate);
  } catch (err) {
    throw invalid("malformed certificate", err);
  }
  const tbs = asn.tbsCertificate;
  if (!asn.tbsCertificateRaw) throw invalid("malformed certificate");
  const cert: ParsedCertificate = {
    der: new Uint8Array(der),
    tbsDer: bytes(asn.tbsCertificateRaw),
    version: tbs.version,
    serialNumber: bytes(tbs.serialNumber),
    signatureAlgorithm: asn.signatureAlgorithm,
    tbsSignatureAlgorithm: tbs.signature,
    signature: bytes(asn.signatureValue),
    issuer: tbs.issuer,
    issuerDer: bytes(AsnConvert.serialize(tbs.issuer)),
    subject: tbs.subject,
    subjectDer: bytes(AsnConvert.serialize(tbs.subject)),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    spkiDer: bytes(AsnConvert.serialize(tbs.subjectPublicKeyInfo)),
    extensions: [],
    uris: [],
    dnsNames: [],
  };
  for (const ext of tbs.extensions ?? []) {
    const raw = { oid: ext.extnID, critical: ext.critical, value: bytes(ext.extnValue.buffer) };
    if (cert.extensions.some((e) => e.oid === raw.oid)) throw invalid(`duplicate extension ${raw.oid}`);
    cert.extensions.push(raw);
    applyExtension(cert, raw);
  }
  return cert;
}

/** True when two byte strings are equal. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
