// The protobuf wire format (protobuf.dev/programming-guides/encoding), as much of it as the Workload
// API's messages use: varints, 64-bit doubles and length-delimited fields. Writing builds a list of
// chunks joined once; reading checks every length against the bytes there are and refuses what is
// not well-formed (a truncated field, a group, an unknown wire type) with a `ProtoWireError`.
import { isUtf8 } from "node:buffer";

/** Wire types (the low three bits of a field's tag). */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

/** Bytes that are not a well-formed message. */
export class ProtoWireError extends Error {}

// Every tag and most lengths fit one byte: those buffers are made once, not per field.
const ONE_BYTE_VARINTS = Array.from({ length: 0x80 }, (_, n) => Buffer.from([n]));

function varint(value: number): Buffer {
  if (value >= 0 && value < 0x80) return ONE_BYTE_VARINTS[value]!;
  const out: number[] = [];
  let n = value;
  while (n > 0x7f) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A message being written: fields are appended in order, `finish` joins them. */
export class ProtoWriter {
  readonly #chunks: Buffer[] = [];

  /** A length-delimited field (bytes, a string, an embedded message), written even when empty. */
  bytes(field: number, value: Uint8Array): this {
    this.#chunks.push(
      varint(field * 8 + LENGTH_DELIMITED),
      varint(value.byteLength),
      Buffer.from(value.buffer, value.byteOffset, value.byteLength),
    );
    return this;
  }

  /** A string field, written even when empty (for oneof members and map entries). */
  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, "utf8"));
  }

  /** A proto3 singular string or bytes field: left out when empty, as proto3 does for defaults. */
  optional(field: number, value: string | Uint8Array): this {
    if (value.length === 0) return this;
    return typeof value === "string" ? this.string(field, value) : this.bytes(field, value);
  }

  /** A varint field (a bool, an enum), written even when 0. */
  varint(field: number, value: number): this {
    this.#chunks.push(varint(field * 8 + VARINT), varint(value));
    return this;
  }

  /** A double field, written even when 0. */
  double(field: number, value: number): this {
    const bytes = Buffer.allocUnsafe(8);
    bytes.writeDoubleLE(value);
    this.#chunks.push(varint(field * 8 + FIXED64), bytes);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

/**
 * Text as protobuf runtimes read it: UTF-8, where a surrogate code point encoded on its own (as
 * protobuf.js writes a lone surrogate) reads back as that code unit, so the audience rules see it
 * and refuse it; bytes that encode nothing become U+FFFD.
 */
function decodeText(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString("utf8");
  let out = "";
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    const size = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
    const tail = bytes.subarray(i + 1, i + Math.max(size, 1));
    if (size === 0 || tail.length !== size - 1 || tail.some((b) => (b & 0xc0) !== 0x80)) {
      out += "\ufffd";
      i += 1;
      continue;
    }
    let code = size === 1 ? lead : lead & (0xff >> (size + 1));
    for (const b of tail) code = code * 64 + (b & 0x3f);
    out += code > 0x10ffff ? "\ufffd" : String.fromCodePoint(code);
    i += size;
  }
  return out;
}

/** Reads the fields of one message in order. */
export class ProtoReader {
  #pos = 0;
  constructor(readonly buffer: Buffer) {}

  /** The next field's number and wire type, or undefined at the end of the message. */
  next(): { field: number; wire: number } | undefined {
    if (this.#pos >= this.buffer.length) return undefined;
    const tag = this.#varint();
    const field = Math.floor(tag / 8);
    if (field === 0) throw new ProtoWireError("proto: field number 0");
    return { field, wire: tag % 8 };
  }

  /** A length-delimited field's bytes. */
  bytes(): Buffer {
    const length = this.#varint();
    if (length > this.buffer.length - this.#pos) throw new ProtoWireError("proto: field longer than the message");
    const value = this.buffer.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return value;
  }

  /** A length-delimited field as text. */
  string(): string {
    return decodeText(this.bytes());
  }

  /** Skip a field of this wire type (an unknown field). */
  skip(wire: number): void {
    if (wire === VARINT) this.#varint();
    else if (wire === LENGTH_DELIMITED) this.bytes();
    else if (wire === FIXED64 || wire === FIXED32) this.#advance(wire === FIXED64 ? 8 : 4);
    else throw new ProtoWireError(`proto: wire type ${wire} is not supported`);
  }

  #advance(n: number): void {
    if (n > this.buffer.length - this.#pos) throw new ProtoWireError("proto: truncated field");
    this.#pos += n;
  }

  #varint(): number {
    let value = 0;
    for (let shift = 1; ; shift *= 0x80) {
      if (this.#pos >= this.buffer.length) throw new ProtoWireError("proto: truncated varint");
      if (shift > 2 ** 63) throw new ProtoWireError("proto: varint longer than 10 bytes");
      const byte = this.buffer[this.#pos++]!;
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
    }
  }
}
