import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodePem, decodeStrictBase64, encodePem } from "./pem.js";

describe("decodeStrictBase64", () => {
  for (const [text, bytes] of [
    ["QQ==", [0x41]],
    ["QUI=", [0x41, 0x42]],
    ["QUJD", [0x41, 0x42, 0x43]],
    ["+/8=", [0xfb, 0xff]],
  ] as const) {
    it(`reads canonical ${text}`, () => {
      assert.deepEqual([...decodeStrictBase64(text)!], bytes);
    });
  }

  // Each of these node's decoder would read (skipping, mapping or ignoring what it does not like).
  for (const [name, text] of [
    ["nothing", ""],
    ["no padding", "QQ"],
    ["short padding", "QQ="],
    ["too much padding", "QUJD===="],
    ["spare bits set", "QR=="],
    ["a space", "Q Q=="],
    ["a newline", "QQ==\n"],
    ["base64url", "-_8="],
    ["a character outside the alphabet", "QU*D"],
    ["text after padding", "QQ==QQ=="],
  ] as const) {
    it(`refuses ${name}`, () => {
      assert.equal(decodeStrictBase64(text), undefined);
    });
  }
});

describe("encodePem", () => {
  for (const size of [1, 47, 48, 49, 96, 300]) {
    it(`writes ${size} bytes in 64-column lines that decodePem reads back`, () => {
      const der = Uint8Array.from({ length: size }, (_, i) => (i * 37) & 0xff);
      const pem = encodePem("TEST", der);
      const lines = pem.split("\n");
      assert.equal(lines[0], "-----BEGIN TEST-----");
      assert.deepEqual(lines.slice(-2), ["-----END TEST-----", ""]);
      const body = lines.slice(1, -2);
      assert.equal(body.join(""), Buffer.from(der).toString("base64"));
      assert.ok(body.every((line, i) => (i < body.length - 1 ? line.length === 64 : line.length > 0 && line.length <= 64)));
      assert.deepEqual([...decodePem(pem, (m) => new Error(m))[0]!.der], [...der]);
    });
  }
});
