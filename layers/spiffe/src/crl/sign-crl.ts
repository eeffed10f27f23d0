import { DerTag, contextTag } from "../internal/der/der-element.js";
import { encodePem } from "../internal/der/pem.js";
import { encodeElement, encodeSequence, encodeTime, encodeUnsignedInteger } from "../internal/der/der-writer.js";
import type { SigningKey } from "../keymanager/types.js";
import { subjectKeyIdOf } from "../x509svid/build-certificate.js";
import { OID_AUTHORITY_KEY_IDENTIFIER, encodeAuthorityKeyIdentifier, encodeExtension } from "../x509svid/certificate-extensions.js";
import { parseCertificate } from "../x509svid/certificate.js";
import { signTbsCertificate } from "../x509svid/sign-certificate.js";
import { encodeSignatureAlgorithm } from "../x509svid/signature-algorithm.js";
import { OID_CRL_NUMBER, OID_REASON_CODE, REASON_CODES } from "./reason-codes.js";
import type { RevokedCertificate } from "./types.js";

/** Options of `signCrl`. */
export interface SignCrlOptions {
  /** The CA's key; it signs (one call, so one KMS Sign). */
  caKey: SigningKey;
  /** DER of the CA certificate: its subject is the CRL's issuer, its key identifier the CRL's AKI. */
  caCertificate: Uint8Array;
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked: readonly RevokedCertificate[];
}

const VERSION_2 = encodeUnsignedInteger(1);

// The authority cache hands out the same certificate bytes until the CA changes: parse each once.
const caIds = new WeakMap<Uint8Array, string>();

/** The subject key identifier of a CA certificate (its extension, else RFC 5280 method 1), lowercase hex: Tessera's CA id. */
export function caIdOf(caCertificate: Uint8Array): string {
  let id = caIds.get(caCertificate);
  if (id === undefined) {
    const ca = parseCertificate(caCertificate);
    id = Buffer.from(ca.subjectKeyId ?? subjectKeyIdOf(ca.spkiDer)).toString("hex");
    caIds.set(caCertificate, id);
  }
  return id;
}

function encodeEntry(entry: RevokedCertificate): Uint8Array {
  if (!/^[0-9a-f]{1,40}$/.test(entry.serialNumber)) throw new TypeError("crl: serial numbers must be lowercase hex of at most 20 octets");
  const hex = entry.serialNumber.length % 2 === 1 ? `0${entry.serialNumber}` : entry.serialNumber;
  const serial = encodeUnsignedInteger(Buffer.from(hex, "hex"));
  const code = entry.reason === undefined ? 0 : REASON_CODES[entry.reason];
  if (code === 0) return encodeSequence(serial, encodeTime(entry.revocationDate));
  const reason = encodeExtension(OID_REASON_CODE, false, encodeElement(DerTag.ENUMERATED, Uint8Array.of(code)));
  return encodeSequence(serial, encodeTime(entry.revocationDate), encodeSequence(reason));
}

/**
 * Build and sign an X.509 v2 CRL (RFC 5280 5.1): issuer the CA's subject, thisUpdate and nextUpdate,
 * the revoked certificates (serial, revocation date, reason code unless unspecified) in serial
 * order, and the authority key identifier and CRL number extensions. Returns the DER.
 */
export async function signCrl(options: SignCrlOptions): Promise<Uint8Array> {
  if (!Number.isSafeInteger(options.crlNumber) || options.crlNumber < 1) throw new TypeError("crl: crlNumber must be a positive integer");
  if (options.nextUpdate.getTime() <= options.thisUpdate.getTime()) throw new TypeError("crl: nextUpdate must follow thisUpdate");
  const ca = parseCertificate(options.caCertificate);
  const authorityKeyId = ca.subjectKeyId ?? subjectKeyIdOf(ca.spkiDer);
  const signatureAlgorithm = encodeSignatureAlgorithm(options.caKey.spec);
  const entries = [...options.revoked].sort((a, b) => a.serialNumber.localeCompare(b.serialNumber)).map(encodeEntry);
  const extensions = encodeSequence(
    encodeExtension(OID_AUTHORITY_KEY_IDENTIFIER, false, encodeAuthorityKeyIdentifier(authorityKeyId)),
    encodeExtension(OID_CRL_NUMBER, false, encodeUnsignedInteger(options.crlNumber)),
  );
  const tbs = encodeSequence(
    VERSION_2,
    signatureAlgorithm,
    ca.subjectDer,
    encodeTime(options.thisUpdate),
    encodeTime(options.nextUpdate),
    ...(entries.length > 0 ? [encodeSequence(...entries)] : []),
    encodeElement(contextTag(0, true), extensions),
  );
  return signTbsCertificate(tbs, signatureAlgorithm, options.caKey);
}

/** The media type of a DER CRL (RFC 2585). */
export const CRL_CONTENT_TYPE = "application/pkix-crl";

/** A DER CRL as PEM (`-----BEGIN X509 CRL-----`), as openssl and IAM Roles Anywhere read it. */
export function encodeCrlPem(der: Uint8Array): string {
  return encodePem("X509 CRL", der);
}
