import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeSerialNumber, formatSerialNumber, generateSerialNumber } from "./serial-number.js";

describe("generateSerialNumber", () => {
  it("gives 1,000 distinct positive serial numbers of at most 20 octets in minimal DER form", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const serial = generateSerialNumber();
      assert.ok(serial.length >= 1 && serial.length <= 20, `length ${serial.length}`);
      assert.ok(serial[0]! < 0x80, "first octet < 0x80: positive");
      assert.ok(serial[0]! !== 0, "first octet non-zero: never zero and minimal");
      seen.add(Buffer.from(serial).toString("hex"));
    }
    assert.equal(seen.size, 1000);
  });

  it("hands out fresh octets across refills of its random pool: 2,000 serials share no 8-octet run", () => {
    const runs = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const serial = generateSerialNumber();
      assert.equal(serial.length, 16);
      const hex = Buffer.from(serial.subarray(1)).toString("hex");
      for (const run of [hex.slice(0, 16), hex.slice(14)]) {
        assert.ok(!runs.has(run), `serial ${i} repeats random octets`);
        runs.add(run);
      }
      serial.fill(0xff);
    }
  });
});

describe("encodeSerialNumber", () => {
  const encodings: [bigint, string][] = [
    [1n, "01"],
    [0x7fn, "7f"],
    [0x80n, "0080"],
    [0xabcdefn, "00abcdef"],
    [0x7abcdefn, "07abcdef"],
    [(1n << 152n) - 1n, "00" + "ff".repeat(19)],
    [(1n << 159n) - 1n, "7f" + "ff".repeat(19)],
  ];
  for (const [value, hex] of encodings) {
    it(`encodes ${value.toString(16)} as ${hex}`, () => {
      assert.equal(Buffer.from(encodeSerialNumber(value)).toString("hex"), hex);
    });
  }
  for (const value of [0n, -1n, 1n << 159n, 1n << 160n]) {
    it(`refuses ${value.toString(16)} with TypeError`, () => {
      assert.throws(() => encodeSerialNumber(value), TypeError);
    });
  }
});

describe("formatSerialNumber", () => {
  it("prints the unsigned value in even-length lowercase hex", () => {
    assert.equal(formatSerialNumber(new Uint8Array([0x00, 0x80])), "80");
    assert.equal(formatSerialNumber(new Uint8Array([0x01, 0xab])), "01ab");
    assert.equal(formatSerialNumber(new Uint8Array([0x7f])), "7f");
  });
});
