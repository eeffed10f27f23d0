import { X509SvidInvalidError } from "../errors.js";
import type { RawExtension } from "./certificate.js";
import { readExtensions } from "./certificate-extensions.js";
import { DerTag, contextTag } from "./der-element.js";
import { DerReader } from "./der-reader.js";
import type { DerFailure } from "./der-reader.js";
import { readName } from "./subject-name.js";
import type { NameAttribute } from "./subject-name.js";

/** The fields of a certificate of the shape Tessera writes, as its DER holds them. Not yet validated. */
export interface IssuedCertificate {
  /** The signed bytes, exactly as they appear in the certificate. */
  tbsDer: Uint8Array;
  /** 2 for v3. */
  version: number;
  /** Content octets of the serial number INTEGER. */
  serialNumber: Uint8Array;
  /** DER AlgorithmIdentifier inside the TBSCertificate. */
  tbsSignatureAlgorithm: Uint8Array;
  /** DER AlgorithmIdentifier next to the signature. */
  signatureAlgorithm: Uint8Array;
  signature: Uint8Array;
  issuerDer: Uint8Array;
  subject: NameAttribute[];
  notBefore: Date;
  notAfter: Date;
  spkiDer: Uint8Array;
  extensions: RawExtension[];
}

/**
 * Read a certificate of the one shape Tessera writes (a v3 TBSCertificate with extensions and no
 * unique identifiers) in strict DER: the reader behind the re-validation of a freshly signed SVID,
 * independent of the @peculiar/asn1-schema parser used for certificates from elsewhere. Throws
 * `X509SvidInvalidError` when the bytes are anything else.
 */
export function readIssuedCertificate(der: Uint8Array): IssuedCertificate {
  const fail: DerFailure = (message) => new X509SvidInvalidError(`x509svid: malformed certificate: ${message}`);
  const reader = new DerReader(der, fail);
  const certificate = reader.enter(DerTag.SEQUENCE, "certificate");
  reader.end("certificate");
  const tbsCertificate = certificate.read(DerTag.SEQUENCE, "TBSCertificate");
  const signatureAlgorithm = certificate.read(DerTag.SEQUENCE, "signature algorithm").encoded;
  const signature = certificate.readOctetAlignedBitString("signature");
  certificate.end("certificate");

  const tbs = new DerReader(tbsCertificate.content, fail);
  const versionField = tbs.enter(contextTag(0, true), "version");
  const version = versionField.readSmallInteger("version");
  versionField.end("version");
  const serialNumber = tbs.readInteger("serial number");
  const tbsSignatureAlgorithm = tbs.read(DerTag.SEQUENCE, "TBSCertificate signature algorithm").encoded;
  const issuerDer = tbs.read(DerTag.SEQUENCE, "issuer").encoded;
  const validity = tbs.enter(DerTag.SEQUENCE, "validity");
  const notBefore = validity.readTime("notBefore");
  const notAfter = validity.readTime("notAfter");
  validity.end("validity");
  const subject = readName(tbs, "subject");
  const spkiDer = tbs.read(DerTag.SEQUENCE, "subject public key info").encoded;
  const extensionsField = tbs.enter(contextTag(3, true), "extensions");
  const extensions = readExtensions(extensionsField.enter(DerTag.SEQUENCE, "extensions"));
  extensionsField.end("extensions");
  if (extensions.length === 0) throw fail("extensions are empty");
  tbs.end("TBSCertificate");
  return {
    tbsDer: tbsCertificate.encoded,
    version,
    serialNumber,
    tbsSignatureAlgorithm,
    signatureAlgorithm,
    signature,
    issuerDer,
    subject,
    notBefore,
    notAfter,
    spkiDer,
    extensions,
  };
}
