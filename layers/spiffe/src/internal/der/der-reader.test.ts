import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DerTag } from "./der-element.js";
import { DerReader } from "./der-reader.js";
import { encodeElement, encodeOid, encodeSequence, encodeTime, encodeUnsignedInteger } from "./der-writer.js";

class MalformedError extends Error {}

function reader(hex: string): DerReader {
  return new DerReader(new Uint8Array(Buffer.from(hex, "hex")), (message) => new MalformedError(message));
}

function time(text: string, tag: number = text.length === 13 ? DerTag.UTC_TIME : DerTag.GENERALIZED_TIME): DerReader {
  return reader(Buffer.from(encodeElement(tag, new Uint8Array(Buffer.from(text, "latin1")))).toString("hex"));
}

describe("DerReader elements", () => {
  it("reads elements in order, with their content and whole encoding, and ends", () => {
    const r = reader("3003020105" + "0400");
    const sequence = r.read(DerTag.SEQUENCE, "sequence");
    assert.equal(Buffer.from(sequence.content).toString("hex"), "020105");
    assert.equal(Buffer.from(sequence.encoded).toString("hex"), "3003020105");
    assert.equal(r.peekTag(), DerTag.OCTET_STRING);
    assert.equal(r.readOptional(DerTag.BOOLEAN, "boolean"), undefined);
    assert.equal(r.read(DerTag.OCTET_STRING, "octets").content.length, 0);
    assert.equal(r.done, true);
    assert.equal(r.peekTag(), undefined);
    r.end("input");
  });

  it("reads contents of 127, 128, 255 and 256 bytes", () => {
    for (const length of [127, 128, 255, 256]) {
      const element = encodeElement(DerTag.OCTET_STRING, new Uint8Array(length));
      assert.equal(reader(Buffer.from(element).toString("hex")).read(DerTag.OCTET_STRING, "octets").content.length, length);
    }
  });

  const malformed: [string, string, (r: DerReader) => unknown][] = [
    ["a long-form length below 128", "04810100", (r) => r.read(DerTag.OCTET_STRING, "x")],
    ["a long-form length with a leading zero", `04820080${"00".repeat(128)}`, (r) => r.read(DerTag.OCTET_STRING, "x")],
    ["the indefinite length", "30800000", (r) => r.read(DerTag.SEQUENCE, "x")],
    ["a length beyond the input", "0405010203", (r) => r.read(DerTag.OCTET_STRING, "x")],
    ["a high tag number", "1f2100", (r) => r.readAny("x")],
    ["an unexpected tag", "0400", (r) => r.read(DerTag.SEQUENCE, "x")],
    ["trailing data", "04000000", (r) => (r.read(DerTag.OCTET_STRING, "x"), r.end("input"))],
    ["a missing element", "", (r) => r.readAny("x")],
    ["a BOOLEAN that is neither 0x00 nor 0xff", "010101", (r) => r.readBoolean("x")],
    ["a BOOLEAN of two octets", "0102ffff", (r) => r.readBoolean("x")],
    ["an explicit DEFAULT FALSE", "010100", (r) => r.readDefaultFalse("x")],
    ["an empty INTEGER", "0200", (r) => r.readInteger("x")],
    ["an INTEGER with a redundant 0x00", "02020001", (r) => r.readInteger("x")],
    ["an INTEGER with a redundant 0xff", "0202ff80", (r) => r.readInteger("x")],
    ["a negative small INTEGER", "0201ff", (r) => r.readSmallInteger("x")],
    ["a small INTEGER beyond 31 bits", "02050100000000", (r) => r.readSmallInteger("x")],
    ["an empty BIT STRING", "0300", (r) => r.readBitString("x")],
    ["a BIT STRING with 8 unused bits", "030208ff", (r) => r.readBitString("x")],
    ["a BIT STRING with set padding bits", "03020181", (r) => r.readBitString("x")],
    ["an empty BIT STRING claiming unused bits", "030101", (r) => r.readBitString("x")],
    ["a key BIT STRING with unused bits", "03020180", (r) => r.readOctetAlignedBitString("x")],
    ["an empty OBJECT IDENTIFIER", "0600", (r) => r.readOid("x")],
    ["an OBJECT IDENTIFIER with a 0x80 padding octet", "0603558001", (r) => r.readOid("x")],
    ["an OBJECT IDENTIFIER ending mid-arc", "060255a0", (r) => r.readOid("x")],
    ["a UTF8String that is not UTF-8", "0c02c328", (r) => r.readUtf8String("x")],
    ["an IA5String that is not ASCII", "1601e9", (r) => r.readAscii(DerTag.IA5_STRING, "x")],
  ];
  for (const [name, hex, read] of malformed) {
    it(`refuses ${name} with the owner's error`, () => {
      assert.throws(() => read(reader(hex)), MalformedError);
    });
  }
});

describe("DerReader values", () => {
  it("reads BOOLEANs, INTEGERs and a present DEFAULT FALSE", () => {
    assert.equal(reader("0101ff").readBoolean("x"), true);
    assert.equal(reader("010100").readBoolean("x"), false);
    assert.equal(reader("0101ff").readDefaultFalse("x"), true);
    assert.equal(reader("0400").readDefaultFalse("x"), false);
    assert.equal(Buffer.from(reader("02020080").readInteger("x")).toString("hex"), "0080");
    assert.equal(Buffer.from(reader("0201ff").readInteger("x")).toString("hex"), "ff");
    for (const value of [0, 1, 127, 128, 255, 256, 2 ** 31 - 1]) {
      assert.equal(reader(Buffer.from(encodeUnsignedInteger(value)).toString("hex")).readSmallInteger("x"), value);
    }
  });

  it("reads BIT STRINGs with their padding", () => {
    const bits = reader("03020106").readBitString("x");
    assert.deepEqual([...bits.octets], [0x06]);
    assert.equal(bits.unusedBits, 1);
    assert.equal(reader("030100").readBitString("x").octets.length, 0);
  });

  it("reads back every OID the writer writes", () => {
    for (const oid of ["0.0", "1.2.840.113549.1.1.11", "2.5.29.17", "2.999.1", "1.39.4294967296", "2.100.3", "1.3.6.1.4.1.311.60.2.1.3"]) {
      assert.equal(reader(Buffer.from(encodeOid(oid)).toString("hex")).readOid("x"), oid);
    }
  });

  it("enters constructed elements and reads their content", () => {
    const sequence = reader(Buffer.from(encodeSequence(encodeOid("2.5.29.19"), encodeUnsignedInteger(5))).toString("hex")).enter(
      DerTag.SEQUENCE,
      "x",
    );
    assert.equal(sequence.readOid("oid"), "2.5.29.19");
    assert.equal(sequence.readSmallInteger("int"), 5);
    sequence.end("x");
  });
});

describe("DerReader times", () => {
  it("reads back the times the writer writes around 1950, 2000, 2049/2050 and 9999", () => {
    for (const iso of [
      "1950-01-01T00:00:00.000Z",
      "1999-12-31T23:59:59.000Z",
      "2000-02-29T00:00:00.000Z",
      "2049-12-31T23:59:59.000Z",
      "2050-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.000Z",
    ]) {
      assert.equal(
        reader(Buffer.from(encodeTime(new Date(iso))).toString("hex"))
          .readTime("t")
          .toISOString(),
        iso,
      );
    }
  });

  it("maps UTCTime years 50 to 99 onto 1950 to 1999 and 00 to 49 onto 2000 to 2049", () => {
    assert.equal(time("500101000000Z").readTime("t").toISOString(), "1950-01-01T00:00:00.000Z");
    assert.equal(time("491231235959Z").readTime("t").toISOString(), "2049-12-31T23:59:59.000Z");
  });

  const refused: [string, DerReader][] = [
    ["a GeneralizedTime before 2050", time("20491231235959Z")],
    ["fractional seconds", time("20500101000000.5Z")],
    ["a UTCTime without seconds", time("5001010000Z")],
    ["a time zone offset", time("500101000000+0100", DerTag.UTC_TIME)],
    ["a missing Z", time("20500101000000", DerTag.GENERALIZED_TIME)],
    ["February 30", time("500230000000Z")],
    ["February 29 of a common year", time("21000229000000Z")],
    ["hour 24", time("500101240000Z")],
    ["minute 60", time("500101006000Z")],
    ["second 60", time("500101000060Z")],
    ["month 13", time("501301000000Z")],
    ["day 0", time("500100000000Z")],
    ["another tag", reader("0400")],
  ];
  for (const [name, r] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => r.readTime("t"), MalformedError);
    });
  }
});
