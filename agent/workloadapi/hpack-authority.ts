// The `:authority` of one HPACK header block (RFC 7541), made acceptable to node's HTTP/2 server.
// A gRPC client on a Unix socket may send the socket's path as its authority (grpc-java does);
// nghttp2 resets such a stream before grpc-js sees it. The agent never reads the authority, so the
// characters an authority cannot hold are replaced with `_`, keeping the value's length: the entry
// the server's decoder adds to its dynamic table then has the size of the one the client's encoder
// added, both tables evict alike, and every index the client sends later still means the same field.

/** Bit lengths of the HPACK Huffman code of bytes 0-255 (RFC 7541 Appendix B); EOS (256) is 30 bits. */
const HUFFMAN_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, 6, 10, 10,
  12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7,
  7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22,
  23, 23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22,
  23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20,
  24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30,
];
const EOS = 256;
const MAX_CODE_LENGTH = 30;

/** The code is canonical: codes of one length are consecutive, in symbol order, shorter codes first. */
interface CanonicalCode {
  /** First code of each length, and where that length's symbols start in `symbols`. */
  first: number[];
  offset: number[];
  count: number[];
  symbols: number[];
}

function buildCanonicalCode(): CanonicalCode {
  const symbols = HUFFMAN_LENGTHS.map((_, s) => s).sort((a, b) => HUFFMAN_LENGTHS[a]! - HUFFMAN_LENGTHS[b]! || a - b);
  const count = new Array<number>(MAX_CODE_LENGTH + 1).fill(0);
  for (const length of HUFFMAN_LENGTHS) count[length]!++;
  const first = new Array<number>(MAX_CODE_LENGTH + 1).fill(0);
  const offset = new Array<number>(MAX_CODE_LENGTH + 1).fill(0);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= MAX_CODE_LENGTH; length++) {
    code = (code + count[length - 1]!) * 2;
    first[length] = code;
    offset[length] = index;
    index += count[length]!;
  }
  return { first, offset, count, symbols };
}

const CODE = buildCanonicalCode();

/** The Huffman code of `symbol`, for tests: `[code, bit length]`. */
export function huffmanCodeOf(symbol: number): [number, number] {
  const length = HUFFMAN_LENGTHS[symbol]!;
  const rank = CODE.symbols.indexOf(symbol) - CODE.offset[length]!;
  return [CODE.first[length]! + rank, length];
}

/** Huffman-code `input` (RFC 7541 section 5.2), padded with the start of EOS. */
export function encodeHuffman(input: Uint8Array): Buffer {
  const out: number[] = [];
  let pending = 0;
  let bits = 0;
  for (const symbol of input) {
    const [code, length] = huffmanCodeOf(symbol);
    for (let bit = length - 1; bit >= 0; bit--) {
      pending = (pending << 1) | (Math.floor(code / 2 ** bit) & 1);
      if (++bits === 8) {
        out.push(pending);
        pending = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) out.push((pending << (8 - bits)) | ((1 << (8 - bits)) - 1));
  return Buffer.from(out);
}

/** Decode a Huffman-coded string; undefined when it is malformed (RFC 7541 section 5.2). */
export function decodeHuffman(input: Uint8Array): Buffer | undefined {
  const out: number[] = [];
  let code = 0;
  let length = 0;
  for (const byte of input) {
    for (let bit = 7; bit >= 0; bit--) {
      code = (code << 1) | ((byte >> bit) & 1);
      length++;
      const rank = code - CODE.first[length]!;
      if (rank >= 0 && rank < CODE.count[length]!) {
        const symbol = CODE.symbols[CODE.offset[length]! + rank]!;
        if (symbol === EOS) return undefined;
        out.push(symbol);
        code = 0;
        length = 0;
      } else if (length >= MAX_CODE_LENGTH) {
        return undefined;
      }
    }
  }
  // Padding: fewer than 8 bits, all ones (the start of EOS).
  if (length > 7 || code !== (1 << length) - 1) return undefined;
  return Buffer.from(out);
}

/** Where a header block is being read: one per block, advanced by the readers below. */
interface Cursor {
  at: number;
}

/** Read the HPACK integer with a `prefixBits`-bit prefix at the cursor and move past it; -1 when truncated or huge. */
function readInteger(block: Uint8Array, cursor: Cursor, prefixBits: number): number {
  if (cursor.at >= block.length) return -1;
  const max = (1 << prefixBits) - 1;
  let value = block[cursor.at++]! & max;
  if (value < max) return value;
  for (let shift = 0; shift <= 21; shift += 7) {
    if (cursor.at >= block.length) return -1;
    const byte = block[cursor.at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return value;
  }
  return -1;
}

function writeInteger(value: number, prefixBits: number, flags: number): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([flags | value]);
  const bytes = [flags | max];
  let rest = value - max;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/**
 * Move past the string literal at the cursor (RFC 7541 section 5.2): answers where its octets start
 * (they end at the cursor), or -1 when it is truncated. Nothing is copied or decoded here.
 */
function readString(block: Uint8Array, cursor: Cursor): number {
  const length = readInteger(block, cursor, 7);
  if (length < 0 || cursor.at + length > block.length) return -1;
  cursor.at += length;
  return cursor.at - length;
}

function equalBytes(block: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (block[start + i] !== expected[i]) return false;
  return true;
}

/** Index of `:authority` in the static table (RFC 7541 Appendix A). */
const STATIC_AUTHORITY = 1;
const AUTHORITY = Buffer.from(":authority");
/** The one Huffman coding of `:authority`: a literal name is compared coded, never decoded. */
const AUTHORITY_HUFFMAN = encodeHuffman(AUTHORITY);
/** What an authority may hold (RFC 3986: unreserved, sub-delims, ":", "%", "[", "]"), as nghttp2 checks it. */
const AUTHORITY_CHARS = new Set(Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:%[]"));
const REPLACEMENT = "_".charCodeAt(0);

/**
 * The value to send instead of `value`, or undefined to leave it alone: a value of visible ASCII
 * (a path) has each character an authority cannot hold replaced with `_`. Anything else (empty, a
 * space, a control character, non-ASCII) is left for nghttp2 to judge as before.
 */
export function sanitizeAuthority(value: Uint8Array): Buffer | undefined {
  if (value.every((c) => AUTHORITY_CHARS.has(c))) return undefined;
  if (!value.every((c) => c > 0x20 && c < 0x7f)) return undefined;
  return Buffer.from(value.map((c) => (AUTHORITY_CHARS.has(c) ? c : REPLACEMENT)));
}

/**
 * The last literal `:authority` value, as sent, that was left alone. A client keeps one authority
 * and most clients of an agent send the same one (`localhost`), so most blocks need no decoding.
 */
let keptAsSent: { raw: Uint8Array; huffman: boolean } = { raw: new Uint8Array(0), huffman: false };

/**
 * Rewrite every literal `:authority` field of one complete header block whose value only a path's
 * characters keep from being an authority. Returns the new block, or undefined when nothing
 * changes (including a block that does not parse: nghttp2 then rejects it as it always did).
 */
export function rewriteAuthority(block: Uint8Array): Buffer | undefined {
  let parts: Buffer[] | undefined;
  let copiedTo = 0;
  const cursor: Cursor = { at: 0 };
  while (cursor.at < block.length) {
    const first = block[cursor.at]!;
    if (first & 0x80) {
      if (readInteger(block, cursor, 7) < 0) return undefined;
      continue;
    }
    if ((first & 0xe0) === 0x20) {
      if (readInteger(block, cursor, 5) < 0) return undefined;
      continue;
    }
    const nameIndex = readInteger(block, cursor, (first & 0xc0) === 0x40 ? 6 : 4);
    if (nameIndex < 0) return undefined;
    let isAuthority = nameIndex === STATIC_AUTHORITY;
    if (nameIndex === 0) {
      const huffman = cursor.at < block.length && (block[cursor.at]! & 0x80) !== 0;
      const name = readString(block, cursor);
      if (name < 0) return undefined;
      isAuthority = equalBytes(block, name, cursor.at, huffman ? AUTHORITY_HUFFMAN : AUTHORITY);
    }
    const valueAt = cursor.at;
    const huffman = valueAt < block.length && (block[valueAt]! & 0x80) !== 0;
    const value = readString(block, cursor);
    if (value < 0) return undefined;
    if (!isAuthority || (huffman === keptAsSent.huffman && equalBytes(block, value, cursor.at, keptAsSent.raw))) continue;
    const raw = block.subarray(value, cursor.at);
    const decoded = huffman ? decodeHuffman(raw) : raw;
    const replacement = decoded ? sanitizeAuthority(decoded) : undefined;
    if (!replacement) {
      keptAsSent = { raw: Uint8Array.from(raw), huffman };
      continue;
    }
    (parts ??= []).push(Buffer.from(block.subarray(copiedTo, valueAt)), writeInteger(replacement.length, 7, 0), replacement);
    copiedTo = cursor.at;
  }
  if (!parts) return undefined;
  parts.push(Buffer.from(block.subarray(copiedTo)));
  return Buffer.concat(parts);
}
