import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { berToDer } from "./ber-to-der.js";

const fail = (message: string) => new RangeError(message);
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ""), "hex");

describe("berToDer", () => {
  it("gives indefinite lengths definite ones and joins a constructed OCTET STRING", () => {
    // SEQUENCE(indef) { OID 1.2, [0](indef) { OCTET STRING(constructed, indef) { "ab", "c" } } }
    const ber = hex("30 80 06 01 2a a0 80 24 80 04 02 61 62 04 01 63 00 00 00 00 00 00");
    assert.deepEqual(berToDer(ber, fail), hex("30 0a 06 01 2a a0 05 04 03 61 62 63"));
  });

  it("keeps DER as it is, and writes long lengths in their shortest form", () => {
    const content = Buffer.alloc(300, 0x41);
    const der = Buffer.concat([hex("04 82 01 2c"), content]);
    assert.deepEqual(berToDer(der, fail), der);
    const longForm = Buffer.concat([hex("04 83 00 01 2c"), content]);
    assert.deepEqual(berToDer(longForm, fail), der);
  });

  it("refuses what is not one well-formed BER element", () => {
    const bad = {
      unterminated: "30 80 04 01 61",
      "indefinite primitive": "04 80 61 00 00",
      "trailing data": "04 01 61 00",
      truncated: "04 05 61",
      "multi-octet tag": "1f 81 01 00",
      "constructed OCTET STRING of something else": "24 03 02 01 01",
      "too deep": "30 80 ".repeat(40),
    };
    for (const [name, text] of Object.entries(bad)) assert.throws(() => berToDer(hex(text), fail), RangeError, name);
  });
});
