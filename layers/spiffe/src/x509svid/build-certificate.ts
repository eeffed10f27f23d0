import { createHash } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
} from "@peculiar/asn1-x509";
import type { AlgorithmIdentifier, Name } from "@peculiar/asn1-x509";

/** What every certificate Tessera builds needs, before the extensions that make it a CA or a leaf. */
export interface CertificateFields {
  serialNumber: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  issuer: Name;
  subject: Name;
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

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING, as OpenSSL and Go compute it. */
export function subjectKeyIdOf(spki: Uint8Array): Uint8Array {
  const info = AsnConvert.parse(spki, SubjectPublicKeyInfo);
  return new Uint8Array(createHash("sha1").update(new Uint8Array(info.subjectPublicKey)).digest());
}

function buildTbs(fields: CertificateFields, extensions: Extension[]): TBSCertificate {
  return new TBSCertificate({
    version: Version.v3,
    serialNumber: fields.serialNumber.slice().buffer,
    signature: fields.signatureAlgorithm,
    issuer: fields.issuer,
    validity: new Validity({ notBefore: fields.notBefore, notAfter: fields.notAfter }),
    subject: fields.subject,
    subjectPublicKeyInfo: AsnConvert.parse(fields.spki, SubjectPublicKeyInfo),
    extensions: new Extensions(extensions),
  });
}

/**
 * The TBSCertificate of a self-signed root: basicConstraints critical CA:true, keyUsage critical
 * keyCertSign + cRLSign, SKI, AKI (= SKI), URI SAN with the trust domain's SPIFFE ID.
 */
export function buildCaTbsCertificate(fields: CaCertificateFields): TBSCertificate {
  const keyId = subjectKeyIdOf(fields.spki);
  return buildTbs({ ...fields, issuer: fields.subject }, [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })),
    extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId)),
    extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) })),
    extension(id_ce_subjectAltName, false, new SubjectAlternativeName([new GeneralName({ uniformResourceIdentifier: fields.trustDomainId })])),
  ]);
}

/**
 * The TBSCertificate of a leaf X.509-SVID: basicConstraints critical CA:false, keyUsage critical
 * digitalSignature only (static-RSA key exchange, the one use of keyEncipherment, is gone from TLS 1.3
 * and Tessera does not want it), EKU serverAuth + clientAuth, SKI, AKI, SAN with the SPIFFE ID as
 * the one URI and any DNS names.
 */
export function buildSvidTbsCertificate(fields: SvidCertificateFields): TBSCertificate {
  const names = [
    new GeneralName({ uniformResourceIdentifier: fields.spiffeId }),
    ...fields.dnsNames.map((dNSName) => new GeneralName({ dNSName })),
  ];
  return buildTbs(fields, [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
    extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
    extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth, id_kp_clientAuth])),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(subjectKeyIdOf(fields.spki))),
    extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(fields.authorityKeyId) })),
    extension(id_ce_subjectAltName, false, new SubjectAlternativeName(names)),
  ]);
}

/** Throws `TypeError` unless `notBefore < notAfter`, both valid dates that X.509 can encode. */
export function checkValidityOption(notBefore: Date, notAfter: Date): void {
  for (const [name, date] of [["notBefore", notBefore], ["notAfter", notAfter]] as const) {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new TypeError(`x509svid: ${name} must be a valid Date`);
    const year = date.getUTCFullYear();
    if (year < 1950 || year > 9999) throw new TypeError(`x509svid: ${name} must lie between 1950 and 9999`);
  }
  if (Math.floor(notAfter.getTime() / 1000) <= Math.floor(notBefore.getTime() / 1000)) {
    throw new TypeError("x509svid: notAfter must be at least a second after notBefore");
  }
}
