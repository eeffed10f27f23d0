import { createHash } from "node:crypto";
import { X509SvidInvalidError } from "../errors.js";
import {
  KeyUsageFlags,
  OID_AUTHORITY_KEY_IDENTIFIER,
  OID_BASIC_CONSTRAINTS,
  OID_CLIENT_AUTH,
  OID_EXT_KEY_USAGE,
  OID_KEY_USAGE,
  OID_SERVER_AUTH,
  OID_SUBJECT_ALT_NAME,
  OID_SUBJECT_KEY_IDENTIFIER,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeExtension,
  encodeKeyUsage,
  encodeSubjectAltName,
  encodeSubjectKeyIdentifier,
} from "./certificate-extensions.js";
import { contextTag } from "../internal/der/der-element.js";
import { DerReader } from "../internal/der/der-reader.js";
import { encodeElement, encodeSequence, encodeTime, encodeUnsignedInteger } from "../internal/der/der-writer.js";
import { readSubjectPublicKeyInfo } from "./key-type.js";

/** What every certificate Tessera builds needs, before the extensions that make it a CA or a leaf. */
export interface CertificateFields {
  /** Content octets of a positive INTEGER. */
  serialNumber: Uint8Array;
  /** DER AlgorithmIdentifier of the signing key's algorithm. */
  signatureAlgorithm: Uint8Array;
  /** DER Name. */
  issuer: Uint8Array;
  /** DER Name. */
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo of the subject's key. */
  spki: Uint8Array;
}

/** Fields of a self-signed CA certificate. */
export interface CaCertificateFields extends Omit<CertificateFields, "issuer"> {
  /** `spiffe://<trust domain>`. */
  trustDomainId: string;
}

/** Fields of a leaf X.509-SVID. */
export interface SvidCertificateFields extends CertificateFields {
  spiffeId: string;
  dnsNames: readonly string[];
  /** The CA's subject key identifier, copied into the leaf's authority key identifier. */
  authorityKeyId: Uint8Array;
}

const VERSION_3 = encodeElement(contextTag(0, true), encodeUnsignedInteger(2));

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING, as OpenSSL and Go compute it. */
export function subjectKeyIdOf(spki: Uint8Array): Uint8Array {
  const reader = new DerReader(spki, (message) => new X509SvidInvalidError(`x509svid: malformed SubjectPublicKeyInfo: ${message}`));
  const { publicKey } = readSubjectPublicKeyInfo(reader);
  reader.end("SubjectPublicKeyInfo");
  return new Uint8Array(createHash("sha1").update(publicKey).digest());
}

function encodeTbsCertificate(fields: CertificateFields, extensions: Uint8Array[]): Uint8Array {
  return encodeSequence(
    VERSION_3,
    encodeUnsignedInteger(fields.serialNumber),
    fields.signatureAlgorithm,
    fields.issuer,
    encodeSequence(encodeTime(fields.notBefore), encodeTime(fields.notAfter)),
    fields.subject,
    fields.spki,
    encodeElement(contextTag(3, true), encodeSequence(...extensions)),
  );
}

// The same three extensions open every leaf: encoded once, not once per SVID.
const SVID_FIXED_EXTENSIONS = [
  encodeExtension(OID_BASIC_CONSTRAINTS, true, encodeBasicConstraints(false)),
  encodeExtension(OID_KEY_USAGE, true, encodeKeyUsage(KeyUsageFlags.digitalSignature)),
  encodeExtension(OID_EXT_KEY_USAGE, false, encodeExtKeyUsage([OID_SERVER_AUTH, OID_CLIENT_AUTH])),
] as const;

/**
 * DER TBSCertificate of a self-signed root: basicConstraints critical CA:true, keyUsage critical
 * keyCertSign + cRLSign, SKI, AKI (= SKI), URI SAN with the trust domain's SPIFFE ID.
 */
export function buildCaTbsCertificate(fields: CaCertificateFields): Uint8Array {
  const keyId = subjectKeyIdOf(fields.spki);
  return encodeTbsCertificate({ ...fields, issuer: fields.subject }, [
    encodeExtension(OID_BASIC_CONSTRAINTS, true, encodeBasicConstraints(true)),
    encodeExtension(OID_KEY_USAGE, true, encodeKeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
    encodeExtension(OID_SUBJECT_KEY_IDENTIFIER, false, encodeSubjectKeyIdentifier(keyId)),
    encodeExtension(OID_AUTHORITY_KEY_IDENTIFIER, false, encodeAuthorityKeyIdentifier(keyId)),
    encodeExtension(OID_SUBJECT_ALT_NAME, false, encodeSubjectAltName([fields.trustDomainId], [])),
  ]);
}

/**
 * DER TBSCertificate of a leaf X.509-SVID: basicConstraints critical CA:false, keyUsage critical
 * digitalSignature only (static-RSA key exchange, the one use of keyEncipherment, is gone from TLS 1.3
 * and Tessera does not want it), EKU serverAuth + clientAuth, SKI, AKI, SAN with the SPIFFE ID as
 * the one URI and any DNS names.
 */
export function buildSvidTbsCertificate(fields: SvidCertificateFields): Uint8Array {
  return encodeTbsCertificate(fields, [
    ...SVID_FIXED_EXTENSIONS,
    encodeExtension(OID_SUBJECT_KEY_IDENTIFIER, false, encodeSubjectKeyIdentifier(subjectKeyIdOf(fields.spki))),
    encodeExtension(OID_AUTHORITY_KEY_IDENTIFIER, false, encodeAuthorityKeyIdentifier(fields.authorityKeyId)),
    encodeExtension(OID_SUBJECT_ALT_NAME, false, encodeSubjectAltName([fields.spiffeId], fields.dnsNames)),
  ]);
}

/** Throws `TypeError` unless `notBefore < notAfter`, both valid dates that X.509 can encode. */
export function checkValidityOption(notBefore: Date, notAfter: Date): void {
  for (const [name, date] of [
    ["notBefore", notBefore],
    ["notAfter", notAfter],
  ] as const) {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new TypeError(`x509svid: ${name} must be a valid Date`);
    const year = date.getUTCFullYear();
    if (year < 1950 || year > 9999) throw new TypeError(`x509svid: ${name} must lie between 1950 and 9999`);
  }
  if (Math.floor(notAfter.getTime() / 1000) <= Math.floor(notBefore.getTime() / 1000)) {
    throw new TypeError("x509svid: notAfter must be at least a second after notBefore");
  }
}
