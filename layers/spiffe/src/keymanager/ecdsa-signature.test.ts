import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { describe, it } from "node:test";
import { ecdsaDerToJose, ecdsaJoseToDer } from "./ecdsa-signature.js";

const CURVES = [
  { curve: "P-256", hash: "sha256", size: 32, count: 200 },
  { curve: "P-384", hash: "sha384", size: 48, count: 200 },
  // P-521 is the only curve whose DER SEQUENCE needs the long length form.
  { curve: "P-521", hash: "sha512", size: 66, count: 50 },
] as const;

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

function assertMalformed(fn: () => unknown, rule: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.equal((err as { code?: string }).code, "ERR_KEY_MANAGER");
    assert.equal((err as Error).message, `keymanager: malformed ECDSA signature: ${rule}`);
    return true;
  });
}

describe("ecdsa-signature against node:crypto", () => {
  for (const { curve, hash, size, count } of CURVES) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: curve });

    it(`${curve}: ${count} DER signatures convert to JOSE that node verifies, and back to the same DER`, () => {
      let padded = 0;
      for (let i = 0; i < count; i++) {
        const data = randomBytes(1 + (i % 97));
        const der = sign(hash, data, { key: privateKey, dsaEncoding: "der" });
        const jose = ecdsaDerToJose(der, size);
        assert.equal(jose.length, 2 * size);
        assert.ok(verify(hash, data, { key: publicKey, dsaEncoding: "ieee-p1363" }, jose), `signature ${i}`);
        assert.deepEqual(Buffer.from(ecdsaJoseToDer(jose)), der);
        if (der[der[1] === 0x81 ? 5 : 4] === 0) padded++;
      }
      // Half the r values have the top bit set and need a 0x00 sign byte: the vectors exercise it.
      assert.ok(padded > 0);
    });

    it(`${curve}: ${count} JOSE signatures convert to DER that node verifies, and back to the same JOSE`, () => {
      for (let i = 0; i < count; i++) {
        const data = randomBytes(1 + (i % 89));
        const jose = sign(hash, data, { key: privateKey, dsaEncoding: "ieee-p1363" });
        const der = ecdsaJoseToDer(jose);
        assert.ok(verify(hash, data, { key: publicKey, dsaEncoding: "der" }, der), `signature ${i}`);
        assert.deepEqual(Buffer.from(ecdsaDerToJose(der, size)), jose);
      }
    });
  }

  it("a converted signature no longer verifies once one byte changes", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const data = Buffer.from("tessera");
    const jose = ecdsaDerToJose(sign("sha256", data, { key: privateKey, dsaEncoding: "der" }), 32);
    jose[40]! ^= 0x01;
    assert.equal(verify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, jose), false);
  });
});

describe("ecdsaJoseToDer", () => {
  it("strips leading zeros and adds a sign byte only when the top bit is set", () => {
    const r = "00".repeat(31) + "01";
    const s = "ff" + "00".repeat(31);
    assert.deepEqual(ecdsaJoseToDer(hex(r + s)), hex(`30 26 02 01 01 02 21 00 ff ${"00".repeat(31)}`));
    const r2 = "0000" + "7f" + "11".repeat(29);
    const s2 = "0080" + "22".repeat(30);
    assert.deepEqual(ecdsaJoseToDer(hex(r2 + s2)), hex(`30 42 02 1e 7f ${"11".repeat(29)} 02 20 00 80 ${"22".repeat(30)}`));
  });

  it("uses the long SEQUENCE length form past 127 content bytes", () => {
    const coordinate = "ff".repeat(66);
    const der = ecdsaJoseToDer(hex(coordinate + coordinate));
    assert.deepEqual(der.subarray(0, 5), hex("30 81 8a 02 43"));
    assert.equal(der.length, 3 + 0x8a);
    assert.deepEqual(ecdsaDerToJose(der, 66), hex(coordinate + coordinate));
  });

  const bad: [name: string, input: string, rule: string][] = [
    ["empty", "", "JOSE signature must be two equal halves of at most 66 bytes"],
    ["odd length", "01".repeat(63), "JOSE signature must be two equal halves of at most 66 bytes"],
    ["longer than P-521", "01".repeat(134), "JOSE signature must be two equal halves of at most 66 bytes"],
    ["r is zero", "00".repeat(32) + "01".repeat(32), "coordinate is zero"],
    ["s is zero", "01".repeat(32) + "00".repeat(32), "coordinate is zero"],
  ];
  for (const [name, input, rule] of bad) {
    it(`refuses a JOSE signature: ${name}`, () => assertMalformed(() => ecdsaJoseToDer(hex(input)), rule));
  }
});

describe("ecdsaDerToJose", () => {
  const r = "01".repeat(32);
  const s = "7f".repeat(32);
  const good = `30 44 02 20 ${r} 02 20 ${s}`;

  it("left-pads short integers to the coordinate length", () => {
    assert.deepEqual(ecdsaDerToJose(hex("30 06 02 01 05 02 01 06"), 32), hex(`${"00".repeat(31)}05${"00".repeat(31)}06`));
    assert.deepEqual(ecdsaDerToJose(hex(good), 32), hex(r + s));
    assert.deepEqual(ecdsaDerToJose(hex(`30 45 02 21 00 ${"80".repeat(32)} 02 20 ${s}`), 32), hex("80".repeat(32) + s));
  });

  const bad: [name: string, input: string, rule: string][] = [
    ["empty", "", "expected a SEQUENCE"],
    ["only a tag", "30", "expected a SEQUENCE"],
    ["not a SEQUENCE", `31 44 02 20 ${r} 02 20 ${s}`, "expected a SEQUENCE"],
    ["indefinite length", `30 80 02 20 ${r} 02 20 ${s} 00 00`, "bad SEQUENCE length"],
    ["non-minimal long length", `30 81 44 02 20 ${r} 02 20 ${s}`, "bad SEQUENCE length"],
    ["two-byte length", `30 82 00 44 02 20 ${r} 02 20 ${s}`, "bad SEQUENCE length"],
    ["SEQUENCE length too short", `30 43 02 20 ${r} 02 20 ${s}`, "SEQUENCE length does not match the signature length"],
    ["SEQUENCE length too long", `30 45 02 20 ${r} 02 20 ${s}`, "SEQUENCE length does not match the signature length"],
    ["trailing bytes after the SEQUENCE", `${good} 00`, "SEQUENCE length does not match the signature length"],
    ["a third INTEGER inside", `30 47 02 20 ${r} 02 20 ${s} 02 01 01`, "trailing bytes in SEQUENCE"],
    ["missing s", `30 22 02 20 ${r}`, "truncated INTEGER"],
    ["r is not an INTEGER", `30 44 04 20 ${r} 02 20 ${s}`, "expected an INTEGER"],
    ["s is not an INTEGER", `30 44 02 20 ${r} 03 20 ${s}`, "expected an INTEGER"],
    ["zero-length INTEGER", `30 24 02 00 02 20 ${s}`, "bad INTEGER length"],
    ["long-form INTEGER length", `30 45 02 81 20 ${r} 02 20 ${s}`, "bad INTEGER length"],
    ["INTEGER runs past the SEQUENCE", `30 22 02 30 ${r}`, "INTEGER runs past the end"],
    ["negative r", `30 44 02 20 ${"80".repeat(32)} 02 20 ${s}`, "negative INTEGER"],
    ["negative s", `30 44 02 20 ${r} 02 20 ${"ff".repeat(32)}`, "negative INTEGER"],
    ["superfluous leading zero", `30 45 02 21 00 ${"7f".repeat(32)} 02 20 ${s}`, "INTEGER has a superfluous leading zero"],
    ["double leading zero", `30 46 02 22 00 00 ${"80".repeat(32)} 02 20 ${s}`, "INTEGER has a superfluous leading zero"],
    ["r is zero", `30 25 02 01 00 02 20 ${s}`, "INTEGER is zero"],
    ["r longer than the coordinate", `30 45 02 21 ${"01".repeat(33)} 02 20 ${s}`, "INTEGER longer than the curve's coordinates"],
    [
      "s longer than the coordinate",
      `30 46 02 21 00 ${"80".repeat(32)} 02 21 ${"01".repeat(33)}`,
      "INTEGER longer than the curve's coordinates",
    ],
  ];
  for (const [name, input, rule] of bad) {
    it(`refuses ${name}`, () => assertMalformed(() => ecdsaDerToJose(hex(input), 32), rule));
  }

  it("refuses a P-384 signature read as P-256", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    // r and s of P-384 are 48 bytes but for a 2^-128 chance: far too long for P-256.
    const der = sign("sha384", Buffer.from("x"), { key: privateKey, dsaEncoding: "der" });
    assertMalformed(() => ecdsaDerToJose(der, 32), "INTEGER longer than the curve's coordinates");
  });

  for (const length of [0, -1, 1.5, 67, Number.NaN]) {
    it(`throws TypeError for coordinate length ${length}`, () => {
      assert.throws(() => ecdsaDerToJose(hex(good), length), TypeError);
    });
  }
});
