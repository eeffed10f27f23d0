// A minimal, strict DER reader: single-octet tags, definite lengths in their shortest form, no
// trailing bytes, and the DER rules for the primitive types it decodes (minimal INTEGERs, BOOLEAN
// as 0x00/0xff, zero padding bits, RFC 5280 times). Whoever reads says which error to throw.
import { DerTag, derHeaderLength, measureDerElement } from "./der-element.js";

/** Builds the error a reader throws, from what was wrong. */
export type DerFailure = (message: string) => Error;

/** One element: its tag, its content octets and its whole encoding (both views into the input). */
export interface DerElement {
  tag: number;
  content: Uint8Array;
  encoded: Uint8Array;
}

/** A BIT STRING's octets and how many bits of the last one are padding. */
export interface DerBitString {
  octets: Uint8Array;
  unusedBits: number;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const UTC_TIME = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/;
const GENERALIZED_TIME = /^(\d\d\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/;

/** Reads the elements of one byte string (a whole encoding, or one element's content) in order. */
export class DerReader {
  readonly #bytes: Uint8Array;
  readonly #fail: DerFailure;
  #offset = 0;

  constructor(bytes: Uint8Array, fail: DerFailure) {
    this.#bytes = bytes;
    this.#fail = fail;
  }

  /** The error to throw for `message`, as the reader's owner builds it. */
  fail(message: string): Error {
    return this.#fail(message);
  }

  /** True when every element has been read. */
  get done(): boolean {
    return this.#offset === this.#bytes.length;
  }

  /** The tag of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.done ? undefined : this.#bytes[this.#offset];
  }

  /** The next element, which must carry `tag`; `what` names it in the error. */
  read(tag: number, what: string): DerElement {
    const total = measureDerElement(this.#bytes, this.#offset);
    if (total === undefined) throw this.fail(`${what} is not a well-formed DER element`);
    if (this.#bytes[this.#offset] !== tag) throw this.fail(`${what} has an unexpected tag`);
    const start = this.#offset;
    this.#offset += total;
    return {
      tag,
      content: this.#bytes.subarray(start + derHeaderLength(this.#bytes, start), this.#offset),
      encoded: this.#bytes.subarray(start, this.#offset),
    };
  }

  /** The next element if it carries `tag`, else undefined (an OPTIONAL or DEFAULT field). */
  readOptional(tag: number, what: string): DerElement | undefined {
    return this.peekTag() === tag ? this.read(tag, what) : undefined;
  }

  /** The next element, whatever its tag (an ANY field). */
  readAny(what: string): DerElement {
    const tag = this.peekTag();
    if (tag === undefined) throw this.fail(`${what} is missing`);
    return this.read(tag, what);
  }

  /** A reader over the content of the next element (a SEQUENCE, a SET or an EXPLICIT tag). */
  enter(tag: number, what: string): DerReader {
    return new DerReader(this.read(tag, what).content, this.#fail);
  }

  /** Throws unless every element has been read. */
  end(what: string): void {
    if (!this.done) throw this.fail(`${what} has unexpected trailing data`);
  }

  /** A BOOLEAN. */
  readBoolean(what: string): boolean {
    const { content } = this.read(DerTag.BOOLEAN, what);
    if (content.length !== 1 || (content[0] !== 0x00 && content[0] !== 0xff)) throw this.fail(`${what} is not a DER BOOLEAN`);
    return content[0] === 0xff;
  }

  /** A `BOOLEAN DEFAULT FALSE` field: DER leaves it out when false, so when present it must be TRUE. */
  readDefaultFalse(what: string): boolean {
    if (this.peekTag() !== DerTag.BOOLEAN) return false;
    if (!this.readBoolean(what)) throw this.fail(`${what} encodes its DEFAULT value`);
    return true;
  }

  /** The content octets of an INTEGER (two's complement, big-endian), checked to be minimal. */
  readInteger(what: string): Uint8Array {
    const { content } = this.read(DerTag.INTEGER, what);
    const redundant = content.length > 1 && ((content[0] === 0x00 && content[1]! < 0x80) || (content[0] === 0xff && content[1]! >= 0x80));
    if (content.length === 0 || redundant) throw this.fail(`${what} is not a minimal INTEGER`);
    return content;
  }

  /** An INTEGER that must lie in 0..2^31-1. */
  readSmallInteger(what: string): number {
    const content = this.readInteger(what);
    if (content[0]! >= 0x80 || content.length > 4) throw this.fail(`${what} is out of range`);
    return content.reduce((value, octet) => value * 256 + octet, 0);
  }

  /** A BIT STRING, whose padding bits must be zero. */
  readBitString(what: string): DerBitString {
    const { content } = this.read(DerTag.BIT_STRING, what);
    const unusedBits = content[0];
    const octets = content.subarray(1);
    if (
      unusedBits === undefined ||
      unusedBits > 7 ||
      (octets.length === 0 && unusedBits !== 0) ||
      (octets.length > 0 && (octets.at(-1)! & ((1 << unusedBits) - 1)) !== 0)
    ) {
      throw this.fail(`${what} is not a DER BIT STRING`);
    }
    return { octets, unusedBits };
  }

  /** A BIT STRING of whole octets (a key, a signature). */
  readOctetAlignedBitString(what: string): Uint8Array {
    const { octets, unusedBits } = this.readBitString(what);
    if (unusedBits !== 0) throw this.fail(`${what} is not a whole number of octets`);
    return octets;
  }

  /** An OBJECT IDENTIFIER, in dotted form. */
  readOid(what: string): string {
    const { content } = this.read(DerTag.OBJECT_IDENTIFIER, what);
    let dotted = "";
    let value = 0;
    for (let i = 0; i < content.length; i++) {
      const octet = content[i]!;
      if (value === 0 && octet === 0x80) throw this.fail(`${what} is not a minimal OBJECT IDENTIFIER`);
      value = value * 128 + (octet & 0x7f);
      if (!Number.isSafeInteger(value)) throw this.fail(`${what} has an arc out of range`);
      if (!(octet & 0x80)) {
        const first = Math.min(2, Math.floor(value / 40));
        dotted += dotted === "" ? `${first}.${value - first * 40}` : `.${value}`;
        value = 0;
      }
    }
    if (content.length === 0 || content.at(-1)! & 0x80) throw this.fail(`${what} is not a well-formed OBJECT IDENTIFIER`);
    return dotted;
  }

  /** A UTF8String. */
  readUtf8String(what: string): string {
    try {
      return UTF8.decode(this.read(DerTag.UTF8_STRING, what).content);
    } catch (err) {
      if (err instanceof TypeError) throw this.fail(`${what} is not valid UTF-8`);
      throw err;
    }
  }

  /** The characters of an element whose content must be ASCII (an IA5String, or an IMPLICIT one). */
  readAscii(tag: number, what: string): string {
    const { content } = this.read(tag, what);
    if (content.some((octet) => octet > 0x7f)) throw this.fail(`${what} is not ASCII`);
    return Buffer.from(content.buffer, content.byteOffset, content.length).toString("latin1");
  }

  /**
   * An RFC 5280 Time: UTCTime `YYMMDDHHMMSSZ` for 1950 to 2049, GeneralizedTime `YYYYMMDDHHMMSSZ`
   * from 2050 on, each a real calendar instant.
   */
  readTime(what: string): Date {
    const utc = this.peekTag() === DerTag.UTC_TIME;
    const text = this.readAscii(utc ? DerTag.UTC_TIME : DerTag.GENERALIZED_TIME, what);
    const match = (utc ? UTC_TIME : GENERALIZED_TIME).exec(text);
    if (!match) throw this.fail(`${what} is not an RFC 5280 time`);
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
    const fullYear = utc ? (year < 50 ? 2000 + year : 1900 + year) : year;
    const date = new Date(Date.UTC(fullYear, month - 1, day, hour, minute, second));
    const exact =
      date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getUTCHours() === hour && date.getUTCMinutes() === minute;
    if (!exact || second > 59 || (!utc && fullYear < 2050)) throw this.fail(`${what} is not an RFC 5280 time`);
    return date;
  }
}
