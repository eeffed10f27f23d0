import { CrlInvalidError } from "../errors.js";
import { DerTag, contextTag } from "../internal/der/der-element.js";
import { DerReader, type DerFailure } from "../internal/der/der-reader.js";
import {
  OID_AUTHORITY_KEY_IDENTIFIER,
  decodeAuthorityKeyIdentifier,
  readExtensions,
  type RawExtension,
} from "../x509svid/certificate-extensions.js";
import { formatSerialNumber } from "../x509svid/serial-number.js";
import { readAlgorithmIdentifier, readSignedData } from "../x509svid/signature-algorithm.js";
import { OID_CRL_NUMBER, OID_REASON_CODE, reasonOfCode } from "./reason-codes.js";
import type { ParsedCrl, RevokedCertificate } from "./types.js";

const malformed: DerFailure = (message) => new CrlInvalidError(`crl: malformed CRL: ${message}`);

function readEntryExtensions(entry: DerReader): RawExtension[] {
  if (entry.done) return [];
  return readExtensions(entry.enter(DerTag.SEQUENCE, "CRL entry extensions"));
}

function readEntry(list: DerReader): RevokedCertificate {
  const entry = list.enter(DerTag.SEQUENCE, "revoked certificate");
  const serial = entry.readInteger("serial number");
  if (serial[0]! >= 0x80) throw malformed("negative serial number");
  const revocationDate = entry.readTime("revocation date");
  const extensions = readEntryExtensions(entry);
  entry.end("revoked certificate");
  const revoked: RevokedCertificate = { serialNumber: formatSerialNumber(serial), revocationDate };
  const reasonCode = extensions.find((e) => e.oid === OID_REASON_CODE);
  if (reasonCode) {
    const value = new DerReader(reasonCode.value, malformed);
    const code = value.read(DerTag.ENUMERATED, "reason code").content;
    value.end("reason code");
    const reason = code.length === 1 ? reasonOfCode(code[0]!) : undefined;
    if (reason) revoked.reason = reason;
  }
  if (extensions.some((e) => e.critical)) throw malformed("a CRL entry carries a critical extension");
  return revoked;
}

function applyCrlExtensions(crl: ParsedCrl, field: Uint8Array): void {
  const wrapper = new DerReader(field, malformed);
  const extensions = readExtensions(wrapper.enter(DerTag.SEQUENCE, "CRL extensions"));
  wrapper.end("CRL extensions");
  for (const { oid, critical, value } of extensions) {
    if (oid === OID_CRL_NUMBER) {
      const number = new DerReader(value, malformed);
      crl.crlNumber = BigInt(`0x${Buffer.from(number.readInteger("CRL number")).toString("hex")}`);
      number.end("CRL number");
    } else if (oid === OID_AUTHORITY_KEY_IDENTIFIER) {
      const keyId = decodeAuthorityKeyIdentifier(value, malformed);
      if (keyId) crl.authorityKeyId = keyId;
    } else if (critical) {
      throw malformed(`unknown critical CRL extension ${oid}`);
    }
  }
}

/**
 * Take a DER CRL (RFC 5280 5.1) apart, strictly: structure only, no signature or time check (see
 * `verifyCrl`). Throws `CrlInvalidError` unless the bytes are exactly one well-formed v2 CRL.
 */
export function parseCrl(der: Uint8Array): ParsedCrl {
  if (!(der instanceof Uint8Array)) throw new TypeError("crl: CRL must be a Uint8Array");
  const copy = new Uint8Array(der);
  const reader = new DerReader(copy, malformed);
  const { tbs: tbsElement, signatureAlgorithm, signature } = readSignedData(reader, "CertificateList", "TBSCertList");
  const tbs = new DerReader(tbsElement.content, malformed);
  const version = tbs.readSmallInteger("version");
  if (version !== 1) throw malformed("only v2 CRLs are accepted");
  const inner = readAlgorithmIdentifier(tbs, "TBSCertList signature");
  if (!Buffer.from(inner.encoded).equals(Buffer.from(signatureAlgorithm.encoded))) throw malformed("the two signature algorithms differ");
  const issuerDer = tbs.read(DerTag.SEQUENCE, "issuer").encoded;
  const thisUpdate = tbs.readTime("thisUpdate");
  const next = tbs.peekTag();
  const nextUpdate = next === DerTag.UTC_TIME || next === DerTag.GENERALIZED_TIME ? tbs.readTime("nextUpdate") : undefined;
  const revoked: RevokedCertificate[] = [];
  if (tbs.peekTag() === DerTag.SEQUENCE) {
    const entries = tbs.enter(DerTag.SEQUENCE, "revoked certificates");
    while (!entries.done) revoked.push(readEntry(entries));
  }
  const crl: ParsedCrl = {
    der: copy,
    tbsDer: tbsElement.encoded,
    version,
    signatureAlgorithm,
    signature,
    issuerDer,
    thisUpdate,
    ...(nextUpdate ? { nextUpdate } : {}),
    revoked,
  };
  const extensions = tbs.readOptional(contextTag(0, true), "CRL extensions");
  if (extensions) applyCrlExtensions(crl, extensions.content);
  tbs.end("TBSCertList");
  return crl;
}
