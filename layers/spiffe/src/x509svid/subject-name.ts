import type { SpiffeId, TrustDomain } from "../spiffeid/spiffe-id.js";
import { DerTag } from "../internal/der/der-element.js";
import type { DerElement, DerReader } from "../internal/der/der-reader.js";
import { encodeOid, encodeSequence, encodeSet, encodeUtf8String } from "../internal/der/der-writer.js";

/**
 * IAM Roles Anywhere sets the session's source identity to `CN=<common name>`, and a source
 * identity holds at most 64 characters: so a CN of at most 61.
 */
export const MAX_COMMON_NAME_LENGTH = 61;
const ORGANIZATION = "Tessera";
export const OID_COMMON_NAME = "2.5.4.3";
export const OID_ORGANIZATION = "2.5.4.10";

function characters(value: string): string[] {
  return [...value];
}

function truncate(value: string): string {
  return characters(value).slice(0, MAX_COMMON_NAME_LENGTH).join("");
}

/** The default CN of a CA: `Tessera CA <trust domain>`, truncated to 61 characters. */
export function defaultCaCommonName(trustDomain: TrustDomain): string {
  return truncate(`Tessera CA ${trustDomain.name}`);
}

/** The default CN of an SVID: its SPIFFE ID when that fits, else its last path segment, truncated. */
export function defaultSvidCommonName(spiffeId: SpiffeId): string {
  const id = spiffeId.toString();
  if (id.length <= MAX_COMMON_NAME_LENGTH) return id;
  return truncate(spiffeId.segments().at(-1) ?? spiffeId.trustDomain.name);
}

/** Throws `TypeError` unless a caller's CN is a non-empty string of at most 61 characters, each encodable in UTF-8. */
export function checkCommonNameOption(commonName: string): void {
  if (typeof commonName !== "string" || commonName === "" || characters(commonName).length > MAX_COMMON_NAME_LENGTH) {
    throw new TypeError(`x509svid: common name must be 1 to ${MAX_COMMON_NAME_LENGTH} characters`);
  }
  // A lone surrogate has no UTF-8 encoding: the encoder would silently write U+FFFD instead.
  if (/\p{Cs}/u.test(commonName)) throw new TypeError("x509svid: common name must not contain a lone surrogate");
}

/** One RDN holding one attribute, its value a UTF8String. */
export function encodeRdn(type: string, value: string): Uint8Array {
  return encodeSet(encodeSequence(encodeOid(type), encodeUtf8String(value)));
}

const ORGANIZATION_RDN = encodeRdn(OID_ORGANIZATION, ORGANIZATION);

/** DER of the Subject Tessera writes: `O=Tessera, CN=<commonName>`, both UTF8String. */
export function encodeSubjectName(commonName: string): Uint8Array {
  return encodeSequence(ORGANIZATION_RDN, encodeRdn(OID_COMMON_NAME, commonName));
}

/** One attribute of a Name: its type and its value element. */
export interface NameAttribute {
  type: string;
  value: DerElement;
}

/** The attributes of the next element, a Name (SEQUENCE OF non-empty SET OF AttributeTypeAndValue), in order. */
export function readName(reader: DerReader, what: string): NameAttribute[] {
  const name = reader.enter(DerTag.SEQUENCE, what);
  const attributes: NameAttribute[] = [];
  while (!name.done) {
    const rdn = name.enter(DerTag.SET, `${what} RDN`);
    if (rdn.done) throw reader.fail(`${what} has an empty RDN`);
    while (!rdn.done) {
      const attribute = rdn.enter(DerTag.SEQUENCE, `${what} attribute`);
      attributes.push({ type: attribute.readOid(`${what} attribute type`), value: attribute.readAny(`${what} attribute value`) });
      attribute.end(`${what} attribute`);
    }
  }
  return attributes;
}

const STRING_DECODERS: Record<number, (content: Uint8Array) => string> = {
  [DerTag.UTF8_STRING]: (content) => new TextDecoder("utf-8", { fatal: true }).decode(content),
  [DerTag.PRINTABLE_STRING]: (content) => Buffer.from(content).toString("latin1"),
  [DerTag.TELETEX_STRING]: (content) => Buffer.from(content).toString("latin1"),
  [DerTag.IA5_STRING]: (content) => Buffer.from(content).toString("latin1"),
  [DerTag.BMP_STRING]: (content) => Buffer.from(content).swap16().toString("utf16le"),
};

/** A DirectoryString's characters; a value of another ASN.1 type, or one that does not decode, comes back as hex. */
function decodeDirectoryString(value: DerElement): string {
  const decode = STRING_DECODERS[value.tag];
  try {
    if (decode) return decode(value.content);
  } catch {
    // fall through to hex, as for a type Tessera does not decode
  }
  return Buffer.from(value.encoded).toString("hex");
}

/** Every CN attribute value of a Name. */
export function commonNamesOf(name: readonly NameAttribute[]): string[] {
  return name.filter((a) => a.type === OID_COMMON_NAME).map((a) => decodeDirectoryString(a.value));
}

/** The length of a CN in characters (code points), as Roles Anywhere counts them. */
export function commonNameLength(value: string): number {
  return characters(value).length;
}
