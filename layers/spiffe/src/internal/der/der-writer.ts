// A minimal DER writer for the certificates Tessera builds: definite lengths in their shortest
// form, minimal INTEGERs, named bit strings without trailing zero bits, RFC 5280 times. Every
// function returns one whole element (tag, length and content).
import { DerTag } from "./der-element.js";

const UTF8 = new TextEncoder();

/** The length octets of a content of `length` bytes: short form below 128, else the shortest long form. */
export function encodeLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new TypeError("der: DER length must be a non-negative integer");
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/** The element `tag` holding `contents` one after another. */
export function encodeElement(tag: number, ...contents: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const content of contents) size += content.length;
  const length = encodeLength(size);
  const out = new Uint8Array(1 + length.length + size);
  out[0] = tag;
  out.set(length, 1);
  let offset = 1 + length.length;
  for (const content of contents) {
    out.set(content, offset);
    offset += content.length;
  }
  return out;
}

/** A SEQUENCE of already encoded elements. */
export function encodeSequence(...elements: Uint8Array[]): Uint8Array {
  return encodeElement(DerTag.SEQUENCE, ...elements);
}

/** A SET of already encoded elements, which must be in DER order (every SET Tessera writes has one element). */
export function encodeSet(...elements: Uint8Array[]): Uint8Array {
  return encodeElement(DerTag.SET, ...elements);
}

/** A BOOLEAN (DER: TRUE is 0xff). */
export function encodeBoolean(value: boolean): Uint8Array {
  return Uint8Array.of(DerTag.BOOLEAN, 1, value ? 0xff : 0x00);
}

/**
 * The INTEGER of a non-negative value, given as a safe integer or as big-endian magnitude octets:
 * leading zero octets dropped, one 0x00 put back when the high bit would make it negative.
 */
export function encodeUnsignedInteger(value: number | Uint8Array): Uint8Array {
  let magnitude: Uint8Array;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError("der: INTEGER must be a non-negative safe integer");
    const octets: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
    magnitude = Uint8Array.from(octets);
  } else {
    let start = 0;
    while (start < value.length && value[start] === 0) start++;
    magnitude = value.subarray(start);
  }
  if (magnitude.length === 0) return Uint8Array.of(DerTag.INTEGER, 1, 0);
  return magnitude[0]! & 0x80 ? encodeElement(DerTag.INTEGER, Uint8Array.of(0), magnitude) : encodeElement(DerTag.INTEGER, magnitude);
}

/** A BIT STRING of whole octets. */
export function encodeBitString(octets: Uint8Array): Uint8Array {
  return encodeElement(DerTag.BIT_STRING, Uint8Array.of(0), octets);
}

/**
 * A named-bit BIT STRING (as KeyUsage) from a flag set where bit `i` of `flags` is named bit `i`;
 * DER drops the trailing zero bits.
 */
export function encodeNamedBits(flags: number): Uint8Array {
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffff) throw new TypeError("der: named bits must be 0 to 16 bits");
  if (flags === 0) return Uint8Array.of(DerTag.BIT_STRING, 1, 0);
  const highest = 31 - Math.clz32(flags);
  const octets = new Uint8Array((highest >> 3) + 1);
  for (let bit = 0; bit <= highest; bit++) {
    if (flags & (1 << bit)) octets[bit >> 3]! |= 0x80 >> (bit & 7);
  }
  return encodeElement(DerTag.BIT_STRING, Uint8Array.of(7 - (highest & 7)), octets);
}

/** An OCTET STRING. */
export function encodeOctetString(octets: Uint8Array): Uint8Array {
  return encodeElement(DerTag.OCTET_STRING, octets);
}

/** The NULL element. */
export function encodeNull(): Uint8Array {
  return Uint8Array.of(DerTag.NULL, 0);
}

function encodeBase128(value: number, out: number[]): void {
  const groups = [value % 128];
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) groups.unshift(0x80 | (rest % 128));
  out.push(...groups);
}

// The OIDs written are the code's own constants, a few dozen at most: each is encoded once.
const encodedOids = new Map<string, Uint8Array>();

/** An OBJECT IDENTIFIER from its dotted form; throws `TypeError` for one that is not well-formed. Do not modify the result. */
export function encodeOid(oid: string): Uint8Array {
  let encoded = encodedOids.get(oid);
  if (!encoded) {
    if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(oid)) throw new TypeError(`der: malformed OID ${oid}`);
    const arcs = oid.split(".").map(Number);
    if (arcs.some((arc) => !Number.isSafeInteger(arc)) || (arcs[0]! < 2 && arcs[1]! >= 40)) {
      throw new TypeError(`der: malformed OID ${oid}`);
    }
    const content: number[] = [];
    encodeBase128(arcs[0]! * 40 + arcs[1]!, content);
    for (const arc of arcs.slice(2)) encodeBase128(arc, content);
    encoded = encodeElement(DerTag.OBJECT_IDENTIFIER, Uint8Array.from(content));
    encodedOids.set(oid, encoded);
  }
  return encoded;
}

/** A UTF8String. */
export function encodeUtf8String(value: string): Uint8Array {
  return encodeElement(DerTag.UTF8_STRING, UTF8.encode(value));
}

/** The content octets of an IA5String; throws `TypeError` for a string that is not ASCII. */
export function encodeAscii(value: string): Uint8Array {
  if (!/^[\x00-\x7f]*$/.test(value)) throw new TypeError("der: IA5String must be ASCII");
  return new Uint8Array(Buffer.from(value, "latin1"));
}

function digits(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * An RFC 5280 Time, to the second (milliseconds dropped): UTCTime `YYMMDDHHMMSSZ` for 1950 to
 * 2049, GeneralizedTime `YYYYMMDDHHMMSSZ` otherwise. Throws `TypeError` outside years 0 to 9999.
 */
export function encodeTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) throw new TypeError("der: time must lie in years 0 to 9999");
  const rest =
    digits(date.getUTCMonth() + 1, 2) +
    digits(date.getUTCDate(), 2) +
    digits(date.getUTCHours(), 2) +
    digits(date.getUTCMinutes(), 2) +
    digits(date.getUTCSeconds(), 2);
  const utc = year >= 1950 && year < 2050;
  const text = `${utc ? digits(year % 100, 2) : digits(year, 4)}${rest}Z`;
  return encodeElement(utc ? DerTag.UTC_TIME : DerTag.GENERALIZED_TIME, encodeAscii(text));
}
