import { SpiffeIdInvalidError, TrustDomainInvalidError, X509SvidInvalidError } from "../errors.js";
import { SpiffeId } from "../spiffeid/spiffe-id.js";
import { equalBytes } from "../internal/der/der-element.js";
import { parseCertificate } from "./certificate.js";
import type { ParsedCertificate } from "./certificate.js";
import {
  KeyUsageFlags,
  OID_BASIC_CONSTRAINTS,
  OID_CLIENT_AUTH,
  OID_EXT_KEY_USAGE,
  OID_KEY_USAGE,
  OID_SERVER_AUTH,
  OID_SUBJECT_ALT_NAME,
} from "./certificate-extensions.js";
import { MAX_SERIAL_NUMBER_OCTETS } from "./serial-number.js";
import { resolveSignatureScheme } from "./signature-algorithm.js";
import { MAX_COMMON_NAME_LENGTH, commonNameLength, commonNamesOf } from "./subject-name.js";

/**
 * Critical extensions whose meaning Tessera enforces; any other critical extension is refused (RFC
 * 5280 4.2). The X509-SVID standard lets a leaf mark its EKU critical (section 4.4), and RFC 5280
 * makes the SAN critical when the subject is empty: a conforming leaf may carry all four.
 */
const UNDERSTOOD_CRITICAL = new Set([OID_BASIC_CONSTRAINTS, OID_KEY_USAGE, OID_EXT_KEY_USAGE, OID_SUBJECT_ALT_NAME]);

function invalid(message: string, cause?: unknown): X509SvidInvalidError {
  return new X509SvidInvalidError(`x509svid: ${message}`, cause === undefined ? undefined : { cause });
}

/** The OID of the first critical extension of `cert` that Tessera does not understand, if any. */
export function findUnsupportedCriticalExtension(cert: ParsedCertificate): string | undefined {
  return cert.extensions.find((e) => e.critical && !UNDERSTOOD_CRITICAL.has(e.oid))?.oid;
}

function checkSerialNumber(serial: Uint8Array): void {
  if (serial.length === 0 || serial[0]! >= 0x80 || serial.every((b) => b === 0)) {
    throw invalid("serial number must be positive");
  }
  if (serial.length > MAX_SERIAL_NUMBER_OCTETS) throw invalid(`serial number must be at most ${MAX_SERIAL_NUMBER_OCTETS} octets`);
}

/** What both leaf and CA certificates must satisfy: the SPIFFE standard plus IAM Roles Anywhere. */
function checkCommonProfile(cert: ParsedCertificate): void {
  if (cert.version !== 2) throw invalid("certificate must be X.509 v3");
  if (!equalBytes(cert.signatureAlgorithm.encoded, cert.tbsSignatureAlgorithm.encoded)) {
    throw invalid("certificate's two signature algorithm fields differ");
  }
  if (!resolveSignatureScheme(cert.signatureAlgorithm)) {
    throw invalid(`signature algorithm ${cert.signatureAlgorithm.oid} is not allowed; use ECDSA or RSA with SHA-256 or stronger`);
  }
  checkSerialNumber(cert.serialNumber);
  if (cert.subject.length === 0) throw invalid("certificate subject must not be empty");
  if (commonNamesOf(cert.subject).some((cn) => commonNameLength(cn) > MAX_COMMON_NAME_LENGTH)) {
    throw invalid(`certificate common name must be at most ${MAX_COMMON_NAME_LENGTH} characters`);
  }
  if (!cert.keyUsage?.critical) throw invalid("certificate must have a critical key usage extension");
  const unsupported = findUnsupportedCriticalExtension(cert);
  if (unsupported) throw invalid(`certificate has an unsupported critical extension ${unsupported}`);
}

function spiffeIdOf(uri: string): SpiffeId {
  try {
    return SpiffeId.fromString(uri);
  } catch (err) {
    if (err instanceof SpiffeIdInvalidError || err instanceof TrustDomainInvalidError) {
      throw invalid("URI SAN is not a valid SPIFFE ID", err);
    }
    throw err;
  }
}

/** The leaf rules on a parsed certificate; returns the SVID's SPIFFE ID. */
export function checkX509SvidProfile(cert: ParsedCertificate): SpiffeId {
  checkCommonProfile(cert);
  if (cert.uris.length === 0) throw invalid("certificate contains no URI SAN");
  if (cert.uris.length > 1) throw invalid("certificate contains more than one URI SAN");
  const id = spiffeIdOf(cert.uris[0]!);
  if (id.path === "") throw invalid("leaf SPIFFE ID must have a non-root path");
  if (cert.basicConstraints?.cA) throw invalid("leaf certificate must not be a CA");
  const usage = cert.keyUsage!.flags;
  if (!(usage & KeyUsageFlags.digitalSignature)) throw invalid("leaf certificate must have key usage digitalSignature");
  if (usage & KeyUsageFlags.keyCertSign) throw invalid("leaf certificate must not have key usage keyCertSign");
  if (usage & KeyUsageFlags.cRLSign) throw invalid("leaf certificate must not have key usage cRLSign");
  // The standard: EKU SHOULD be present and, when present, MUST hold both serverAuth and clientAuth
  // (go-spiffe does not check it; Tessera does). Presence stays optional here so SVIDs from other
  // issuers still validate; Tessera's own SVIDs always carry it.
  const eku = cert.extKeyUsage;
  if (eku && !(eku.includes(OID_SERVER_AUTH) && eku.includes(OID_CLIENT_AUTH))) {
    throw invalid("leaf extended key usage must include both serverAuth and clientAuth");
  }
  return id;
}

/** The signing-certificate rules on a parsed certificate. */
export function checkCaProfile(cert: ParsedCertificate): void {
  checkCommonProfile(cert);
  if (!cert.basicConstraints?.cA) throw invalid("CA certificate must have the CA flag set to true");
  if (!(cert.keyUsage!.flags & KeyUsageFlags.keyCertSign)) throw invalid("CA certificate must have key usage keyCertSign");
  if (cert.uris.length > 1) throw invalid("CA certificate contains more than one URI SAN");
  if (cert.uris.length === 1 && spiffeIdOf(cert.uris[0]!).path !== "") {
    throw invalid("CA certificate SPIFFE ID must not have a path");
  }
}

/**
 * Check a DER certificate against the X.509-SVID leaf profile (no signature, time or chain check):
 * v3, SHA-256+ signature, positive serial of at most 20 octets, non-empty Subject, CN of at most 61
 * characters, exactly one URI SAN holding a SPIFFE ID with a path, not a CA, critical key usage with
 * digitalSignature and neither keyCertSign nor cRLSign, EKU (if any) with serverAuth and clientAuth.
 * Returns the SPIFFE ID; throws `X509SvidInvalidError`.
 */
export function validateX509SvidProfile(certificate: Uint8Array): SpiffeId {
  return checkX509SvidProfile(parseCertificate(certificate));
}

/**
 * Check a DER certificate against the signing-certificate profile (no signature or time check): the
 * common rules of `validateX509SvidProfile`, CA:true, key usage keyCertSign, and a URI SAN (if any)
 * that is a trust domain's SPIFFE ID. Throws `X509SvidInvalidError`.
 */
export function validateCaProfile(certificate: Uint8Array): void {
  checkCaProfile(parseCertificate(certificate));
}
