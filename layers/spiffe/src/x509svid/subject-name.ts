import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from "@peculiar/asn1-x509";
import type { SpiffeId } from "../spiffeid/spiffe-id.js";
import type { TrustDomain } from "../spiffeid/trust-domain.js";

/**
 * IAM Roles Anywhere sets the session's source identity to `CN=<common name>`, and a source
 * identity holds at most 64 characters: so a CN of at most 61.
 */
export const MAX_COMMON_NAME_LENGTH = 61;
const ORGANIZATION = "Tessera";
const OID_COMMON_NAME = "2.5.4.3";
const OID_ORGANIZATION = "2.5.4.10";

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

/** Throws `TypeError` unless a caller's CN is a non-empty string of at most 61 characters. */
export function checkCommonNameOption(commonName: string): void {
  if (typeof commonName !== "string" || commonName === "" || characters(commonName).length > MAX_COMMON_NAME_LENGTH) {
    throw new TypeError(`x509svid: common name must be 1 to ${MAX_COMMON_NAME_LENGTH} characters`);
  }
}

function rdn(type: string, value: string): RelativeDistinguishedName {
  return new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]);
}

/** The Subject Tessera writes: `O=Tessera, CN=<commonName>`. */
export function buildSubjectName(commonName: string): Name {
  return new Name([rdn(OID_ORGANIZATION, ORGANIZATION), rdn(OID_COMMON_NAME, commonName)]);
}

/** How many attributes a Name holds (zero for an empty Subject). */
export function countAttributes(name: Name): number {
  return name.reduce((sum, r) => sum + r.length, 0);
}

/** Every CN attribute value of a Name (a value of an unexpected ASN.1 type comes back as hex). */
export function commonNamesOf(name: Name): string[] {
  return [...name].flatMap((r) => [...r].filter((a) => a.type === OID_COMMON_NAME).map((a) => a.value.toString()));
}

/** The length of a CN in characters (code points), as Roles Anywhere counts them. */
export function commonNameLength(value: string): number {
  return characters(value).length;
}
