/** The universal tags Tessera reads and writes (single-octet, with the constructed bit where DER sets it). */
export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** The context-specific tag `[number]`, constructed (EXPLICIT, or IMPLICIT over a constructed type) or primitive. */
export function contextTag(number: number, constructed: boolean): number {
  return (constructed ? 0xa0 : 0x80) | number;
}

/**
 * The total length (header + content) of the DER element starting at `offset`, or undefined when
 * the header is malformed, uses the indefinite form, or claims more bytes than there are.
 */
export function measureDerElement(bytes: Uint8Array, offset = 0): number | undefined {
  if (offset + 2 > bytes.length) return undefined;
  if ((bytes[offset]! & 0x1f) === 0x1f) return undefined; // multi-byte tags never occur in X.509
  const first = bytes[offset + 1]!;
  let header = 2;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || offset + 2 + count > bytes.length) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i]!;
    if (length < 0x80 || bytes[offset + 2] === 0) return undefined; // DER: shortest form only
    header += count;
  }
  const total = header + length;
  return offset + total <= bytes.length ? total : undefined;
}

/** The length of the header (tag and length octets) of a DER element whose header `measureDerElement` accepted. */
export function derHeaderLength(bytes: Uint8Array, offset = 0): number {
  const first = bytes[offset + 1]!;
  return first & 0x80 ? 2 + (first & 0x7f) : 2;
}

/** True when two byte strings (two encodings) are equal. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
