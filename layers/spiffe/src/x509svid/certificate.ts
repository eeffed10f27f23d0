// The one certificate parser: strict DER through the one reader, every field and extension Tessera
// looks at decoded once. Every check (profiles, re-validation, chain verification) reads this view.
import { X509SvidInvalidError } from "../errors.js";
import { DerTag, contextTag } from "../internal/der/der-element.js";
import { DerReader } from "../internal/der/der-reader.js";
import type { DerFailure } from "../internal/der/der-reader.js";
import {
  OID_AUTHORITY_KEY_IDENTIFIER,
  OID_BASIC_CONSTRAINTS,
  OID_EXT_KEY_USAGE,
  OID_KEY_USAGE,
  OID_SUBJECT_ALT_NAME,
  OID_SUBJECT_KEY_IDENTIFIER,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeKeyUsage,
  decodeSubjectAltName,
  decodeSubjectKeyIdentifier,
  readExtensions,
} from "./certificate-extensions.js";
import type { RawExtension } from "./certificate-extensions.js";
import { readSubjectPublicKeyInfo } from "./key-type.js";
import { readAlgorithmIdentifier, readSignedData } from "./signature-algorithm.js";
import type { AlgorithmIdentifier } from "./signature-algorithm.js";
import { readName } from "./subject-name.js";
import type { NameAttribute } from "./subject-name.js";

/** A certificate taken apart, with the extensions Tessera looks at decoded. Not yet validated. */
export interface ParsedCertificate {
  der: Uint8Array;
  /** The signed bytes, exactly as they appear in `der`. */
  tbsDer: Uint8Array;
  /** 0 for v1, 1 for v2, 2 for v3. */
  version: number;
  /** Content octets of the serial number INTEGER (two's complement, big-endian). */
  serialNumber: Uint8Array;
  /** The AlgorithmIdentifier next to the signature. */
  signatureAlgorithm: AlgorithmIdentifier;
  /** The AlgorithmIdentifier inside the TBSCertificate. */
  tbsSignatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  issuerDer: Uint8Array;
  subject: NameAttribute[];
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

const malformed: DerFailure = (message) => new X509SvidInvalidError(`x509svid: malformed certificate: ${message}`);
const malformedExtension: DerFailure = (message) => new X509SvidInvalidError(`x509svid: malformed extension: ${message}`);

/** The next element, a Name: its DER and its attributes. */
function readNameElement(reader: DerReader, what: string): { der: Uint8Array; attributes: NameAttribute[] } {
  const der = reader.read(DerTag.SEQUENCE, what).encoded;
  return { der, attributes: readName(new DerReader(der, malformed), what) };
}

/** The version field: absent for v1 (its DEFAULT), else an EXPLICIT [0] INTEGER. */
function readVersion(tbs: DerReader): number {
  const field = tbs.readOptional(contextTag(0, true), "version");
  if (!field) return 0;
  const version = new DerReader(field.content, malformed);
  const value = version.readSmallInteger("version");
  version.end("version");
  return value;
}

/**
 * The extensions field: an EXPLICIT [3] non-empty SEQUENCE OF Extension, which a v1 certificate
 * cannot hold (RFC 5280 4.1.2.9); a v2 one with extensions is left to the profile, which wants v3.
 */
function readExtensionsField(tbs: DerReader, version: number): RawExtension[] {
  const field = tbs.readOptional(contextTag(3, true), "extensions");
  if (!field) return [];
  if (version === 0) throw malformed("a v1 certificate has no extensions");
  const wrapper = new DerReader(field.content, malformed);
  const extensions = readExtensions(wrapper.enter(DerTag.SEQUENCE, "extensions"));
  wrapper.end("extensions");
  if (extensions.length === 0) throw malformed("extensions are empty");
  return extensions;
}

type TbsFields = Omit<ParsedCertificate, "der" | "tbsDer" | "signatureAlgorithm" | "signature" | "uris" | "dnsNames">;

function readTbsCertificate(content: Uint8Array): TbsFields {
  const tbs = new DerReader(content, malformed);
  const version = readVersion(tbs);
  const serialNumber = tbs.readInteger("serial number");
  const tbsSignatureAlgorithm = readAlgorithmIdentifier(tbs, "TBSCertificate signature algorithm");
  const issuer = readNameElement(tbs, "issuer");
  const validity = tbs.enter(DerTag.SEQUENCE, "validity");
  const notBefore = validity.readTime("notBefore");
  const notAfter = validity.readTime("notAfter");
  validity.end("validity");
  const subject = readNameElement(tbs, "subject");
  const spkiDer = readSubjectPublicKeyInfo(tbs).encoded;
  tbs.readOptional(contextTag(1, false), "issuer unique ID");
  tbs.readOptional(contextTag(2, false), "subject unique ID");
  const extensions = readExtensionsField(tbs, version);
  tbs.end("TBSCertificate");
  const issuerDer = issuer.der;
  return {
    version,
    serialNumber,
    tbsSignatureAlgorithm,
    issuerDer,
    subject: subject.attributes,
    subjectDer: subject.der,
    notBefore,
    notAfter,
    spkiDer,
    extensions,
  };
}

/** Decodes the extensions Tessera looks at into `cert`; refuses a repeated extension. */
function applyExtensions(cert: ParsedCertificate): void {
  const seen = new Set<string>();
  for (const { oid, critical, value } of cert.extensions) {
    if (seen.has(oid)) throw new X509SvidInvalidError(`x509svid: duplicate extension ${oid}`);
    seen.add(oid);
    if (oid === OID_BASIC_CONSTRAINTS) cert.basicConstraints = { critical, ...decodeBasicConstraints(value, malformedExtension) };
    else if (oid === OID_KEY_USAGE) cert.keyUsage = { critical, flags: decodeKeyUsage(value, malformedExtension) };
    else if (oid === OID_EXT_KEY_USAGE) cert.extKeyUsage = decodeExtKeyUsage(value, malformedExtension);
    else if (oid === OID_SUBJECT_ALT_NAME) Object.assign(cert, decodeSubjectAltName(value, malformedExtension));
    else if (oid === OID_SUBJECT_KEY_IDENTIFIER) cert.subjectKeyId = decodeSubjectKeyIdentifier(value, malformedExtension);
    else if (oid === OID_AUTHORITY_KEY_IDENTIFIER) {
      const keyId = decodeAuthorityKeyIdentifier(value, malformedExtension);
      if (keyId) cert.authorityKeyId = keyId;
    }
  }
}

/**
 * Take a DER certificate apart, in strict DER (structure only: no signature, time or profile
 * check). Throws `X509SvidInvalidError` when the bytes are not exactly one well-formed certificate.
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  if (!(der instanceof Uint8Array)) throw new TypeError("x509svid: certificate must be a Uint8Array");
  const copy = new Uint8Array(der);
  const reader = new DerReader(copy, malformed);
  const { tbs, signatureAlgorithm, signature } = readSignedData(reader, "certificate", "TBSCertificate");
  const cert: ParsedCertificate = {
    der: copy,
    tbsDer: tbs.encoded,
    signatureAlgorithm,
    signature,
    ...readTbsCertificate(tbs.content),
    uris: [],
    dnsNames: [],
  };
  applyExtensions(cert);
  return cert;
}
