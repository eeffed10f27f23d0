import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { KeyUsage, Time } from "@peculiar/asn1-x509";
import { measureDerElement } from "./der-element.js";
import {
  encodeBoolean,
  encodeElement,
  encodeLength,
  encodeNamedBits,
  encodeOctetString,
  encodeOid,
  encodeTime,
  encodeUnsignedInteger,
  encodeUtf8String,
} from "./der-writer.js";

function hex(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString("hex");
}

describe("encodeLength and encodeElement", () => {
  const lengths: [number, string][] = [
    [0, "00"],
    [1, "01"],
    [127, "7f"],
    [128, "8180"],
    [255, "81ff"],
    [256, "820100"],
    [65_535, "82ffff"],
    [65_536, "83010000"],
  ];
  for (const [length, header] of lengths) {
    it(`writes a content of ${length} bytes with length octets ${header}, as asn1-schema does`, () => {
      assert.equal(hex(encodeLength(length)), header);
      const content = new Uint8Array(length).fill(0x5a);
      const element = encodeElement(0x04, content);
      assert.equal(hex(element), `04${header}${hex(content)}`);
      assert.equal(measureDerElement(element), element.length);
      assert.equal(hex(element), hex(AsnConvert.serialize(new OctetString(content))));
    });
  }

  it("concatenates several contents under one header", () => {
    assert.equal(hex(encodeElement(0x30, Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3))), "3003010203");
  });

  it("refuses a negative or fractional length with TypeError", () => {
    assert.throws(() => encodeLength(-1), TypeError);
    assert.throws(() => encodeLength(1.5), TypeError);
  });
});

describe("encodeUnsignedInteger", () => {
  const vectors: [number | Uint8Array, string][] = [
    [0, "020100"],
    [1, "020101"],
    [0x7f, "02017f"],
    [0x80, "02020080"],
    [0xff, "020200ff"],
    [0x100, "02020100"],
    [0x7fff, "02027fff"],
    [0x8000, "0203008000"],
    [2 ** 53 - 1, "02071fffffffffffff"],
    [new Uint8Array(0), "020100"],
    [Uint8Array.of(0, 0, 0), "020100"],
    [Uint8Array.of(0, 0, 0x7f), "02017f"],
    [Uint8Array.of(0, 0x80), "02020080"],
    [Uint8Array.of(0x80, 0, 0), "020400800000"],
    [Uint8Array.of(0xff, 0xff), "020300ffff"],
    [new Uint8Array(20).fill(0x7f), `0214${"7f".repeat(20)}`],
    [new Uint8Array(20).fill(0xff), `021500${"ff".repeat(20)}`],
  ];
  for (const [value, expected] of vectors) {
    const label = typeof value === "number" ? String(value) : `0x${hex(value) || "(empty)"}`;
    it(`writes ${label} as ${expected}: minimal, with a 0x00 when the high bit is set`, () => {
      assert.equal(hex(encodeUnsignedInteger(value)), expected);
    });
  }

  it("refuses a negative, fractional or unsafe number with TypeError", () => {
    for (const value of [-1, 0.5, 2 ** 53]) assert.throws(() => encodeUnsignedInteger(value), TypeError);
  });
});

describe("encodeNamedBits", () => {
  it("writes every KeyUsage flag set (0 to 511) exactly as asn1-schema does", () => {
    for (let flags = 0; flags < 512; flags++) {
      assert.equal(hex(encodeNamedBits(flags)), hex(AsnConvert.serialize(new KeyUsage(flags))), `flags ${flags}`);
    }
  });

  const vectors: [number, string][] = [
    [0, "030100"],
    [0x01, "03020780"],
    [0x60, "03020106"],
    [0x80, "03020001"],
    [0x100, "0303070080"],
  ];
  for (const [flags, expected] of vectors) {
    it(`writes flags 0x${flags.toString(16)} as ${expected}, without trailing zero bits`, () => {
      assert.equal(hex(encodeNamedBits(flags)), expected);
    });
  }
});

describe("encodeOid", () => {
  const vectors: [string, string][] = [
    ["2.5.29.19", "0603551d13"],
    ["1.2.840.113549.1.1.11", "06092a864886f70d01010b"],
    ["1.2.840.10045.3.1.7", "06082a8648ce3d030107"],
    ["1.3.6.1.5.5.7.3.2", "06082b06010505070302"],
    ["0.0", "060100"],
    ["2.999.1", "0603883701"],
    ["1.39.4294967296", "06064f9080808000"],
  ];
  for (const [oid, expected] of vectors) {
    it(`writes ${oid} as ${expected}`, () => {
      assert.equal(hex(encodeOid(oid)), expected);
    });
  }

  it("refuses malformed OIDs with TypeError", () => {
    for (const oid of ["", "1", "3.1", "1.40", "0.40.1", "1.2.", "1..2", "1.02", "1.2.a", `1.2.${2 ** 53}`]) {
      assert.throws(() => encodeOid(oid), TypeError, oid);
    }
  });
});

describe("encodeTime", () => {
  const vectors: [string, string][] = [
    ["1950-01-01T00:00:00Z", "UTCTime 500101000000Z"],
    ["1999-12-31T23:59:59Z", "UTCTime 991231235959Z"],
    ["2000-01-01T00:00:00Z", "UTCTime 000101000000Z"],
    ["2049-12-31T23:59:59.999Z", "UTCTime 491231235959Z"],
    ["2050-01-01T00:00:00Z", "GeneralizedTime 20500101000000Z"],
    ["2050-01-01T00:00:00.500Z", "GeneralizedTime 20500101000000Z"],
    ["2100-02-28T12:34:56Z", "GeneralizedTime 21000228123456Z"],
    ["9999-12-31T23:59:59Z", "GeneralizedTime 99991231235959Z"],
    ["1949-12-31T23:59:59Z", "GeneralizedTime 19491231235959Z"],
  ];
  for (const [iso, expected] of vectors) {
    it(`writes ${iso} as ${expected} (RFC 5280 4.1.2.5, seconds only)`, () => {
      const [type, text] = expected.split(" ") as [string, string];
      const tag = type === "UTCTime" ? "17" : "18";
      assert.equal(
        hex(encodeTime(new Date(iso))),
        `${tag}${text.length.toString(16).padStart(2, "0")}${Buffer.from(text).toString("hex")}`,
      );
    });
  }

  it("writes the times Tessera accepts (1950 to 9999) as asn1-x509's Time does", () => {
    for (const iso of [
      "1950-01-01T00:00:00Z",
      "2030-06-15T08:09:10.123Z",
      "2049-12-31T23:59:59Z",
      "2050-01-01T00:00:00Z",
      "9999-12-31T23:59:59Z",
    ]) {
      assert.equal(hex(encodeTime(new Date(iso))), hex(AsnConvert.serialize(new Time(new Date(iso)))), iso);
    }
  });

  it("refuses an invalid date with TypeError", () => {
    assert.throws(() => encodeTime(new Date(Number.NaN)), TypeError);
    assert.throws(() => encodeTime(new Date(Date.UTC(10_000, 0, 1))), TypeError);
  });
});

describe("encodeBoolean, encodeOctetString and encodeUtf8String", () => {
  it("write DER BOOLEANs, OCTET STRINGs and UTF-8 strings", () => {
    assert.equal(hex(encodeBoolean(true)), "0101ff");
    assert.equal(hex(encodeBoolean(false)), "010100");
    assert.equal(hex(encodeOctetString(Uint8Array.of(1, 2))), "04020102");
    assert.equal(hex(encodeUtf8String("é😀")), `0c06${Buffer.from("é😀").toString("hex")}`);
  });
});
