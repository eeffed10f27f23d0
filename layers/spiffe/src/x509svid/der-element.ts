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
