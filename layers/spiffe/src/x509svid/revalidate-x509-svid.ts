import { KeyUsageFlags } from "@peculiar/asn1-x509";
import { TesseraError, X509SvidInvalidError } from "../errors.js";
import type { SigningKey } from "../keymanager/types.js";
import type { SpiffeId } from "../spiffeid/spiffe-id.js";
import { equalBytes } from "./certificate.js";
import type { ParsedCertificate, RawExtension } from "./certificate.js";
import {
  OID_AUTHORITY_KEY_IDENTIFIER,
  OID_BASIC_CONSTRAINTS,
  OID_CLIENT_AUTH,
  OID_EXT_KEY_USAGE,
  OID_KEY_USAGE,
  OID_SERVER_AUTH,
  OID_SUBJECT_ALT_NAME,
  OID_SUBJECT_KEY_IDENTIFIER,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeKeyUsage,
  decodeSubjectAltName,
  decodeSubjectKeyIdentifier,
} from "./certificate-extensions.js";
import { DerReader } from "./der-reader.js";
import type { DerFailure } from "./der-reader.js";
import { readIssuedCertificate } from "./issued-certificate.js";
import type { IssuedCertificate } from "./issued-certificate.js";
import { encodeSignatureAlgorithm, signatureSchemeFor, verifySignature } from "./signature-algorithm.js";
import { MAX_COMMON_NAME_LENGTH, OID_COMMON_NAME, commonNameLength } from "./subject-name.js";
import type { NameAttribute } from "./subject-name.js";

/** What the issuer asked for, against which the signed SVID is checked. */
export interface SvidExpectations {
  ca: ParsedCertificate;
  caKey: SigningKey;
  spiffeId: SpiffeId;
  dnsNames: readonly string[];
  /** DER SubjectPublicKeyInfo of the workload's key. */
  spki: Uint8Array;
  /** Content octets of the serial number INTEGER. */
  serialNumber: Uint8Array;
  authorityKeyId: Uint8Array;
}

/** The extensions a leaf may mark critical: the ones whose rules are checked here. */
const CRITICAL = new Set([OID_BASIC_CONSTRAINTS, OID_KEY_USAGE]);

function invalid(message: string): X509SvidInvalidError {
  return new X509SvidInvalidError(`x509svid: ${message}`);
}

const malformedExtension: DerFailure = (message) => invalid(`malformed extension: ${message}`);

function extensionsByOid(extensions: readonly RawExtension[]): Map<string, RawExtension> {
  const byOid = new Map<string, RawExtension>();
  for (const extension of extensions) {
    if (byOid.has(extension.oid)) throw invalid(`duplicate extension ${extension.oid}`);
    if (extension.critical && !CRITICAL.has(extension.oid)) throw invalid(`SVID has an unexpected critical extension ${extension.oid}`);
    byOid.set(extension.oid, extension);
  }
  return byOid;
}

function required(byOid: Map<string, RawExtension>, oid: string, name: string): RawExtension {
  const extension = byOid.get(oid);
  if (!extension) throw invalid(`SVID has no ${name} extension`);
  return extension;
}

function checkSubject(subject: readonly NameAttribute[]): void {
  if (subject.length === 0) throw invalid("certificate subject must not be empty");
  for (const { type, value } of subject) {
    if (type !== OID_COMMON_NAME) continue;
    const commonName = new DerReader(value.encoded, (message) => invalid(`malformed subject: ${message}`)).readUtf8String("common name");
    if (commonNameLength(commonName) > MAX_COMMON_NAME_LENGTH) {
      throw invalid(`certificate common name must be at most ${MAX_COMMON_NAME_LENGTH} characters`);
    }
  }
}

/** The leaf profile, exactly as Tessera writes it, and the names and key identifier that were asked for. */
function checkExtensions(extensions: readonly RawExtension[], expected: SvidExpectations): void {
  const byOid = extensionsByOid(extensions);
  const basicConstraints = required(byOid, OID_BASIC_CONSTRAINTS, "basic constraints");
  const { cA, pathLenConstraint } = decodeBasicConstraints(basicConstraints.value, malformedExtension);
  if (!basicConstraints.critical || cA || pathLenConstraint !== undefined) throw invalid("leaf basic constraints must be critical CA:false");
  const keyUsage = required(byOid, OID_KEY_USAGE, "key usage");
  if (!keyUsage.critical || decodeKeyUsage(keyUsage.value, malformedExtension) !== KeyUsageFlags.digitalSignature) {
    throw invalid("leaf key usage must be critical digitalSignature only");
  }
  const purposes = decodeExtKeyUsage(required(byOid, OID_EXT_KEY_USAGE, "extended key usage").value, malformedExtension);
  if (!(purposes.includes(OID_SERVER_AUTH) && purposes.includes(OID_CLIENT_AUTH))) {
    throw invalid("leaf extended key usage must include both serverAuth and clientAuth");
  }
  const names = decodeSubjectAltName(required(byOid, OID_SUBJECT_ALT_NAME, "subject alternative name").value, malformedExtension);
  if (names.uris.length !== 1 || names.uris[0] !== expected.spiffeId.toString()) throw invalid("SVID holds another SPIFFE ID");
  if (names.dnsNames.length !== expected.dnsNames.length || names.dnsNames.some((name, i) => name !== expected.dnsNames[i])) {
    throw invalid("SVID holds other DNS names");
  }
  decodeSubjectKeyIdentifier(required(byOid, OID_SUBJECT_KEY_IDENTIFIER, "subject key identifier").value, malformedExtension);
  const authorityKeyId = decodeAuthorityKeyIdentifier(required(byOid, OID_AUTHORITY_KEY_IDENTIFIER, "authority key identifier").value, malformedExtension);
  if (!authorityKeyId || !equalBytes(authorityKeyId, expected.authorityKeyId)) throw invalid("SVID authority key identifier is not the CA's");
}

function checkSvid(leaf: IssuedCertificate, expected: SvidExpectations): void {
  const { ca, caKey } = expected;
  if (leaf.version !== 2) throw invalid("certificate must be X.509 v3");
  const algorithm = encodeSignatureAlgorithm(caKey.spec);
  if (!equalBytes(leaf.signatureAlgorithm, algorithm) || !equalBytes(leaf.tbsSignatureAlgorithm, algorithm)) {
    throw invalid("SVID signature algorithm is not the CA key's");
  }
  if (!equalBytes(leaf.serialNumber, expected.serialNumber)) throw invalid("SVID holds another serial number");
  checkSubject(leaf.subject);
  checkExtensions(leaf.extensions, expected);
  if (!equalBytes(leaf.spkiDer, expected.spki)) throw invalid("SVID holds another public key");
  if (!equalBytes(leaf.issuerDer, ca.subjectDer)) throw invalid("SVID issuer is not the CA's subject");
  if (!verifySignature(signatureSchemeFor(caKey.spec), leaf.tbsDer, leaf.signature, caKey.publicKey)) {
    throw invalid("SVID signature does not verify with the CA key");
  }
  if (leaf.notBefore.getTime() >= leaf.notAfter.getTime()) throw invalid("SVID validity period is empty");
  if (leaf.notAfter.getTime() > ca.notAfter.getTime()) throw invalid("SVID outlives its CA");
}

/**
 * Re-validate a freshly signed leaf, read back from its DER with a strict reader of its own: the
 * leaf profile (critical CA:false, critical keyUsage digitalSignature only, EKU serverAuth and
 * clientAuth), the one URI SAN equal to the SPIFFE ID asked for, the DNS names, key, serial number,
 * issuer, signature under the CA key and lifetime within the CA's. Throws `X509SvidInvalidError`.
 */
export function revalidateX509Svid(der: Uint8Array, expected: SvidExpectations): IssuedCertificate {
  try {
    const leaf = readIssuedCertificate(der);
    checkSvid(leaf, expected);
    return leaf;
  } catch (err) {
    if (err instanceof TesseraError) {
      throw new X509SvidInvalidError(`x509svid: issued SVID failed re-validation: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
