// The certificate extensions Tessera writes and reads (RFC 5280 4.2.1), encoded with the DER
// writer and decoded with the strict reader. Decoders take the extnValue's content.
import { DerTag, contextTag } from "../internal/der/der-element.js";
import { DerReader } from "../internal/der/der-reader.js";
import type { DerFailure } from "../internal/der/der-reader.js";
import {
  encodeAscii,
  encodeBoolean,
  encodeElement,
  encodeNamedBits,
  encodeOctetString,
  encodeOid,
  encodeSequence,
} from "../internal/der/der-writer.js";

/** One extension as it appears in a certificate or a CSR's extension request. */
export interface RawExtension {
  oid: string;
  critical: boolean;
  /** The extnValue's content: the DER of the extension's own value. */
  value: Uint8Array;
}

/** KeyUsage named bits (RFC 5280 4.2.1.3): named bit `i` is flag `1 << i`. */
export const KeyUsageFlags = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;

export const OID_BASIC_CONSTRAINTS = "2.5.29.19";
export const OID_KEY_USAGE = "2.5.29.15";
export const OID_EXT_KEY_USAGE = "2.5.29.37";
export const OID_SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
export const OID_AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";
export const OID_SUBJECT_ALT_NAME = "2.5.29.17";
export const OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
export const OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

const DNS_NAME = contextTag(2, false);
const URI = contextTag(6, false);
const KEY_IDENTIFIER = contextTag(0, false);
/** The tags of the GeneralName choices (RFC 5280 4.2.1.6), IMPLICIT except directoryName. */
const GENERAL_NAME_TAGS = new Set([0xa0, 0x81, DNS_NAME, 0xa3, 0xa4, 0xa5, URI, 0x87, 0x88]);

/** An Extension; `critical` is written only when true, since DER omits a value equal to its DEFAULT. */
export function encodeExtension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? encodeSequence(encodeOid(oid), encodeBoolean(true), encodeOctetString(value))
    : encodeSequence(encodeOid(oid), encodeOctetString(value));
}

/** BasicConstraints with cA and no path length (cA FALSE, the DEFAULT, is left out). */
export function encodeBasicConstraints(cA: boolean): Uint8Array {
  return cA ? encodeSequence(encodeBoolean(true)) : encodeSequence();
}

/** KeyUsage from `KeyUsageFlags` bits. */
export function encodeKeyUsage(flags: number): Uint8Array {
  return encodeNamedBits(flags);
}

/** ExtKeyUsageSyntax holding `purposes`, in order. */
export function encodeExtKeyUsage(purposes: readonly string[]): Uint8Array {
  return encodeSequence(...purposes.map(encodeOid));
}

/** SubjectKeyIdentifier. */
export function encodeSubjectKeyIdentifier(keyId: Uint8Array): Uint8Array {
  return encodeOctetString(keyId);
}

/** AuthorityKeyIdentifier holding only the keyIdentifier. */
export function encodeAuthorityKeyIdentifier(keyId: Uint8Array): Uint8Array {
  return encodeSequence(encodeElement(KEY_IDENTIFIER, keyId));
}

/** GeneralNames: the URIs, then the DNS names (ASCII, else `TypeError`). */
export function encodeSubjectAltName(uris: readonly string[], dnsNames: readonly string[]): Uint8Array {
  const names = [...uris.map((u) => encodeElement(URI, encodeAscii(u))), ...dnsNames.map((d) => encodeElement(DNS_NAME, encodeAscii(d)))];
  return encodeSequence(...names);
}

/** The Extensions of a certificate or a CSR's extension request: a SEQUENCE OF Extension, read from its content. */
export function readExtensions(reader: DerReader): RawExtension[] {
  const extensions: RawExtension[] = [];
  while (!reader.done) {
    const extension = reader.enter(DerTag.SEQUENCE, "extension");
    const oid = extension.readOid("extension ID");
    const critical = extension.readDefaultFalse(`extension ${oid} criticality`);
    const value = extension.read(DerTag.OCTET_STRING, "extension value").content;
    extension.end(`extension ${oid}`);
    extensions.push({ oid, critical, value });
  }
  return extensions;
}

/** BasicConstraints: cA and the path length constraint, if any. */
export function decodeBasicConstraints(value: Uint8Array, fail: DerFailure): { cA: boolean; pathLenConstraint?: number } {
  const reader = new DerReader(value, fail);
  const constraints = reader.enter(DerTag.SEQUENCE, "basic constraints");
  reader.end("basic constraints");
  const cA = constraints.readDefaultFalse("basic constraints cA");
  const pathLength = constraints.peekTag() === DerTag.INTEGER ? constraints.readSmallInteger("path length constraint") : undefined;
  constraints.end("basic constraints");
  return pathLength === undefined ? { cA } : { cA, pathLenConstraint: pathLength };
}

/** KeyUsage as `KeyUsageFlags` bits (named bit `i` is bit `i`), DER: no trailing zero bit. */
export function decodeKeyUsage(value: Uint8Array, fail: DerFailure): number {
  const reader = new DerReader(value, fail);
  const { octets, unusedBits } = reader.readBitString("key usage");
  reader.end("key usage");
  if (octets.length === 0 || octets.length > 2 || !(octets.at(-1)! & (1 << unusedBits)))
    throw fail("key usage is not a DER named bit list");
  let flags = 0;
  for (let bit = 0; bit < octets.length * 8; bit++) {
    if (octets[bit >> 3]! & (0x80 >> (bit & 7))) flags |= 1 << bit;
  }
  return flags;
}

/** ExtKeyUsageSyntax: the key purpose OIDs, in order. */
export function decodeExtKeyUsage(value: Uint8Array, fail: DerFailure): string[] {
  const reader = new DerReader(value, fail);
  const sequence = reader.enter(DerTag.SEQUENCE, "extended key usage");
  reader.end("extended key usage");
  const purposes: string[] = [];
  while (!sequence.done) purposes.push(sequence.readOid("key purpose"));
  if (purposes.length === 0) throw fail("extended key usage is empty");
  return purposes;
}

/** GeneralNames: the URIs and DNS names, in order; other kinds are checked to be GeneralNames and skipped. */
export function decodeSubjectAltName(value: Uint8Array, fail: DerFailure): { uris: string[]; dnsNames: string[] } {
  const reader = new DerReader(value, fail);
  const names = reader.enter(DerTag.SEQUENCE, "subject alternative name");
  reader.end("subject alternative name");
  const uris: string[] = [];
  const dnsNames: string[] = [];
  if (names.done) throw fail("subject alternative name is empty");
  while (!names.done) {
    const tag = names.peekTag()!;
    if (tag === URI) uris.push(names.readAscii(URI, "URI name"));
    else if (tag === DNS_NAME) dnsNames.push(names.readAscii(DNS_NAME, "DNS name"));
    else if (GENERAL_NAME_TAGS.has(tag)) names.readAny("general name");
    else throw fail("subject alternative name holds something other than a GeneralName");
  }
  return { uris, dnsNames };
}

/** SubjectKeyIdentifier. */
export function decodeSubjectKeyIdentifier(value: Uint8Array, fail: DerFailure): Uint8Array {
  const reader = new DerReader(value, fail);
  const keyId = reader.read(DerTag.OCTET_STRING, "subject key identifier").content;
  reader.end("subject key identifier");
  return keyId;
}

/** AuthorityKeyIdentifier: its keyIdentifier, if any (the issuer and serial fields are checked for shape only). */
export function decodeAuthorityKeyIdentifier(value: Uint8Array, fail: DerFailure): Uint8Array | undefined {
  const reader = new DerReader(value, fail);
  const identifier = reader.enter(DerTag.SEQUENCE, "authority key identifier");
  reader.end("authority key identifier");
  const keyId = identifier.readOptional(KEY_IDENTIFIER, "key identifier")?.content;
  identifier.readOptional(contextTag(1, true), "authority cert issuer");
  identifier.readOptional(contextTag(2, false), "authority cert serial number");
  identifier.end("authority key identifier");
  return keyId;
}
