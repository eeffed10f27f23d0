import { randomBytes } from "node:crypto";

/** RFC 5280 4.1.2.2: conforming serial numbers are at most 20 octets. */
export const MAX_SERIAL_NUMBER_OCTETS = 20;
const RANDOM_OCTETS = 16;

/**
 * A fresh random serial number as INTEGER content octets: 16 octets, the first in 0x01..0x7f so the
 * value is positive, never zero, and its DER encoding is already minimal (about 127 random bits).
 */
export function generateSerialNumber(): Uint8Array {
  const serial = new Uint8Array(randomBytes(RANDOM_OCTETS));
  serial[0] = serial[0]! & 0x7f || 0x01;
  return serial;
}

/** INTEGER content octets of a caller's serial number; throws `TypeError` unless positive and at most 20 octets. */
export function encodeSerialNumber(value: bigint): Uint8Array {
  if (typeof value !== "bigint" || value <= 0n) throw new TypeError("x509svid: serial number must be a positive bigint");
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  if (hex.length / 2 > MAX_SERIAL_NUMBER_OCTETS) throw new TypeError("x509svid: serial number must fit in 20 octets");
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Lowercase hex of a positive serial number's unsigned value (even length, no sign octet). */
export function formatSerialNumber(content: Uint8Array): string {
  const unsigned = content.length > 1 && content[0] === 0 ? content.subarray(1) : content;
  return Buffer.from(unsigned).toString("hex");
}
