import { TesseraError, X509SvidInvalidError } from "../errors.js";
import { equalBytes } from "../internal/der/der-element.js";
import { DerReader } from "../internal/der/der-reader.js";
import type { SigningKey } from "../keymanager/types.js";
import type { SpiffeId } from "../spiffeid/spiffe-id.js";
import { parseCertificate } from "./certificate.js";
import type { ParsedCertificate } from "./certificate.js";
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
} from "./certificate-extensions.js";
import { placeCrypto } from "../internal/crypto/event-loop-pressure.js";
import { encodeSignatureAlgorithm, signatureSchemeFor, verifySignature, verifySignatureInThreadPool } from "./signature-algorithm.js";
import { OID_COMMON_NAME } from "./subject-name.js";
import type { NameAttribute } from "./subject-name.js";
import { checkX509SvidProfile } from "./validate-profile.js";

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

/** The extensions `buildSvidTbsCertificate` writes into every leaf, by OID, with their names. */
const WRITTEN: readonly [string, string][] = [
  [OID_BASIC_CONSTRAINTS, "basic constraints"],
  [OID_KEY_USAGE, "key usage"],
  [OID_EXT_KEY_USAGE, "extended key usage"],
  [OID_SUBJECT_KEY_IDENTIFIER, "subject key identifier"],
  [OID_AUTHORITY_KEY_IDENTIFIER, "authority key identifier"],
  [OID_SUBJECT_ALT_NAME, "subject alternative name"],
];
/** The two of them it marks critical; the profile allows more, but Tessera writes no others. */
const WRITTEN_CRITICAL = new Set([OID_BASIC_CONSTRAINTS, OID_KEY_USAGE]);

function invalid(message: string): X509SvidInvalidError {
  return new X509SvidInvalidError(`x509svid: ${message}`);
}

/** Every CN is the UTF8String that `encodeSubjectName` writes. */
function checkSubjectAsWritten(subject: readonly NameAttribute[]): void {
  for (const { type, value } of subject) {
    if (type === OID_COMMON_NAME)
      new DerReader(value.encoded, (message) => invalid(`malformed subject: ${message}`)).readUtf8String("common name");
  }
}

/** The extensions are the ones Tessera writes, each as written: critical CA:false, critical digitalSignature only, both EKUs. */
function checkExtensionsAsWritten(leaf: ParsedCertificate): void {
  const critical = leaf.extensions.find((e) => e.critical && !WRITTEN_CRITICAL.has(e.oid));
  if (critical) throw invalid(`SVID has an unexpected critical extension ${critical.oid}`);
  for (const [oid, name] of WRITTEN) {
    if (!leaf.extensions.some((e) => e.oid === oid)) throw invalid(`SVID has no ${name} extension`);
  }
  const { critical: bcCritical, cA, pathLenConstraint } = leaf.basicConstraints!;
  if (!bcCritical || cA || pathLenConstraint !== undefined) throw invalid("leaf basic constraints must be critical CA:false");
  if (!leaf.keyUsage!.critical || leaf.keyUsage!.flags !== KeyUsageFlags.digitalSignature) {
    throw invalid("leaf key usage must be critical digitalSignature only");
  }
  const purposes = leaf.extKeyUsage!;
  if (!(purposes.includes(OID_SERVER_AUTH) && purposes.includes(OID_CLIENT_AUTH))) {
    throw invalid("leaf extended key usage must include both serverAuth and clientAuth");
  }
}

/** The names, key identifiers and key are the ones that were asked for. */
function checkNamesAsAsked(leaf: ParsedCertificate, expected: SvidExpectations): void {
  if (leaf.uris.length !== 1 || leaf.uris[0] !== expected.spiffeId.toString()) throw invalid("SVID holds another SPIFFE ID");
  if (leaf.dnsNames.length !== expected.dnsNames.length || leaf.dnsNames.some((name, i) => name !== expected.dnsNames[i])) {
    throw invalid("SVID holds other DNS names");
  }
  if (!leaf.authorityKeyId || !equalBytes(leaf.authorityKeyId, expected.authorityKeyId))
    throw invalid("SVID authority key identifier is not the CA's");
  if (!equalBytes(leaf.spkiDer, expected.spki)) throw invalid("SVID holds another public key");
}

/** The leaf is exactly what was built and asked for, within the CA's lifetime (its signature is checked after). */
function checkAsIssued(leaf: ParsedCertificate, expected: SvidExpectations): void {
  const { ca, caKey } = expected;
  const algorithm = encodeSignatureAlgorithm(caKey.spec);
  if (!equalBytes(leaf.signatureAlgorithm.encoded, algorithm) || !equalBytes(leaf.tbsSignatureAlgorithm.encoded, algorithm)) {
    throw invalid("SVID signature algorithm is not the CA key's");
  }
  if (!equalBytes(leaf.serialNumber, expected.serialNumber)) throw invalid("SVID holds another serial number");
  checkSubjectAsWritten(leaf.subject);
  checkExtensionsAsWritten(leaf);
  checkNamesAsAsked(leaf, expected);
  if (!equalBytes(leaf.issuerDer, ca.subjectDer)) throw invalid("SVID issuer is not the CA's subject");
  if (leaf.notBefore.getTime() >= leaf.notAfter.getTime()) throw invalid("SVID validity period is empty");
  if (leaf.notAfter.getTime() > ca.notAfter.getTime()) throw invalid("SVID outlives its CA");
}

/**
 * Re-validate a freshly signed leaf, read back from its DER with the one certificate parser: it is
 * what was built and asked for (critical CA:false, critical keyUsage digitalSignature only, EKU
 * serverAuth and clientAuth, the one URI SAN equal to the SPIFFE ID asked for, the DNS names, key,
 * serial number, issuer, signature under the CA key, lifetime within the CA's), and it passes the
 * one leaf profile check. The signature is checked in libuv's thread pool while the event loop is
 * busy (`placeCrypto`). Rejects with `X509SvidInvalidError`.
 */
export async function revalidateX509Svid(der: Uint8Array, expected: SvidExpectations): Promise<ParsedCertificate> {
  try {
    const leaf = parseCertificate(der);
    checkAsIssued(leaf, expected);
    checkX509SvidProfile(leaf);
    const { caKey } = expected;
    const scheme = signatureSchemeFor(caKey.spec);
    const valid = await placeCrypto(
      () => verifySignature(scheme, leaf.tbsDer, leaf.signature, caKey.publicKey),
      () => verifySignatureInThreadPool(scheme, leaf.tbsDer, leaf.signature, caKey.publicKey),
    );
    if (!valid) {
      throw invalid("SVID signature does not verify with the CA key");
    }
    return leaf;
  } catch (err) {
    if (err instanceof TesseraError) {
      throw new X509SvidInvalidError(`x509svid: issued SVID failed re-validation: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
