// BER to DER, for the few structures Tessera reads that their producers encode in BER (the
// PKCS#7 SignedData that EC2 serves is one: indefinite lengths and a constructed OCTET STRING).
// Only lengths and string segmentation are normalised: content octets are kept as they are, so
// anything signed over its DER form (signed attributes) keeps its bytes when it was DER already.
import type { DerFailure } from "./der-reader.js";

const MAX_DEPTH = 24;
const OCTET_STRING = 0x04;
const CONSTRUCTED_OCTET_STRING = 0x24;

interface Parsed {
  /** The DER encoding of the element. */
  der: Uint8Array;
  /** Offset just past the element in the input. */
  next: number;
}

function lengthOctets(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return [0x80 | octets.length, ...octets];
}

function encode(tag: number, content: Uint8Array): Uint8Array {
  return Buffer.concat([Uint8Array.from([tag, ...lengthOctets(content.length)]), content]);
}

/** The content octets of a constructed OCTET STRING's DER segments, joined. */
function joinSegments(children: Uint8Array[], fail: DerFailure): Uint8Array {
  return Buffer.concat(
    children.map((child) => {
      if (child[0] !== OCTET_STRING) throw fail("a constructed OCTET STRING holds something else");
      const header = child[1]! & 0x80 ? 2 + (child[1]! & 0x7f) : 2;
      return child.subarray(header);
    }),
  );
}

function parseElement(bytes: Uint8Array, offset: number, depth: number, fail: DerFailure): Parsed {
  if (depth > MAX_DEPTH) throw fail("nests too deeply");
  if (offset + 2 > bytes.length) throw fail("is truncated");
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw fail("uses a multi-octet tag");
  const constructed = (tag & 0x20) !== 0;
  const first = bytes[offset + 1]!;
  let at = offset + 2;
  if (first === 0x80) {
    if (!constructed) throw fail("has an indefinite length on a primitive element");
    const children: Uint8Array[] = [];
    for (;;) {
      if (at + 2 > bytes.length) throw fail("has an unterminated indefinite length");
      if (bytes[at] === 0 && bytes[at + 1] === 0) break;
      const child = parseElement(bytes, at, depth + 1, fail);
      children.push(child.der);
      at = child.next;
    }
    return { der: finish(tag, children, fail), next: at + 2 };
  }
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count > 4 || at + count > bytes.length) throw fail("has a malformed length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[at + i]!;
    at += count;
  }
  const end = at + length;
  if (end > bytes.length) throw fail("claims more bytes than it has");
  if (!constructed) return { der: encode(tag, bytes.subarray(at, end)), next: end };
  const children: Uint8Array[] = [];
  while (at < end) {
    const child = parseElement(bytes.subarray(0, end), at, depth + 1, fail);
    children.push(child.der);
    at = child.next;
  }
  return { der: finish(tag, children, fail), next: end };
}

function finish(tag: number, children: Uint8Array[], fail: DerFailure): Uint8Array {
  if (tag === CONSTRUCTED_OCTET_STRING) return encode(OCTET_STRING, joinSegments(children, fail));
  return encode(tag, Buffer.concat(children));
}

/**
 * Re-encode one BER element (and nothing after it) with definite, shortest-form lengths and
 * constructed OCTET STRINGs joined into primitive ones. Throws `fail(...)` for anything malformed.
 */
export function berToDer(bytes: Uint8Array, fail: DerFailure): Uint8Array {
  const parsed = parseElement(bytes, 0, 0, (message) => fail(`der: the BER element ${message}`));
  if (parsed.next !== bytes.length) throw fail("der: the BER element has trailing data");
  return parsed.der;
}
