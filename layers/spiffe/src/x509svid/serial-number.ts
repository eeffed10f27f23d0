import { randomFillSync } from "node:crypto";

/** RFC 5280 4.1.2.2: conforming serial numbers are at most 20 octets. */
export const MAX_SERIAL_NUMBER_OCTETS = 20;
const RANDOM_OCTETS = 16;

// Serial numbers are cut from a pool of CSPRNG output refilled 256 serials at a time: one call into
// OpenSSL per SVID cost about 15 us under load, a copy out of the pool well under 1 us. Each octet
// of the pool is handed out once and zeroed as it goes, so no two serials share random bits.
const POOL_OCTETS = 256 * RANDOM_OCTETS;
const pool = new Uint8Array(POOL_OCTETS);
let poolOffset = POOL_OCTETS;

/**
 * A fresh random serial number as INTEGER content octets: 16 octets from the CSPRNG, the first in
 * 0x01..0x7f so the value is positive, never zero, and its DER encoding is already minimal (about
 * 127 random bits).
 */
export function generateSerialNumber(): Uint8Array {
  if (poolOffset === POOL_OCTETS) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const taken = pool.subarray(poolOffset, poolOffset + RANDOM_OCTETS);
  poolOffset += RANDOM_OCTETS;
  const serial = taken.slice();
  taken.fill(0);
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
