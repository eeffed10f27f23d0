import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { describe, it } from "node:test";
import { DerTag } from "../internal/der/der-element.js";
import { DerReader } from "../internal/der/der-reader.js";
import { encodeBitString, encodeElement, encodeLength, encodeNull, encodeOid, encodeSequence } from "../internal/der/der-writer.js";
import { importPublicKeyFromSpki, publicJwkOf, publicKeyFromSpki, spkiOf } from "./key-type.js";

// Keys are compared through OpenSSL's DER export only: node 20 can deadlock exporting a freshly
// generated EC key as JWK while the garbage collector finalizes its key generation job.
function opensslSpki(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: "der", type: "spki" }));
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** The content of an SPKI's subjectPublicKey BIT STRING. */
function subjectPublicKeyOf(spki: Uint8Array): Uint8Array {
  const info = new DerReader(spki, (m) => new Error(m)).enter(DerTag.SEQUENCE, "spki");
  info.read(DerTag.SEQUENCE, "algorithm");
  return info.readOctetAlignedBitString("key");
}

const P256 = "1.2.840.10045.3.1.7";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";

describe("publicKeyFromSpki and spkiOf", () => {
  it("give back the very bytes of 300 EC P-256 keys, which are OpenSSL's encoding", () => {
    for (let i = 0; i < 300; i++) {
      const spki = opensslSpki(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
      const key = publicKeyFromSpki(spki);
      assert.equal(hex(spkiOf(key)), hex(spki));
      assert.equal(hex(opensslSpki(key)), hex(spki));
    }
  });

  const kinds: [string, () => KeyObject][] = [
    ["EC P-384", () => generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey],
    ["RSA-2048", () => generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey],
    ["RSA-3072", () => generateKeyPairSync("rsa", { modulusLength: 3072 }).publicKey],
    ["RSA-4096", () => generateKeyPairSync("rsa", { modulusLength: 4096 }).publicKey],
    ["RSA with exponent 3", () => generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 3 }).publicKey],
    ["EC P-521", () => generateKeyPairSync("ec", { namedCurve: "P-521" }).publicKey],
    ["Ed25519", () => generateKeyPairSync("ed25519").publicKey],
    ["RSA-PSS", () => generateKeyPairSync("rsa-pss", { modulusLength: 2048 }).publicKey],
  ];
  for (const [name, makeKey] of kinds) {
    it(`agree with OpenSSL's encoding of an ${name} key read from DER`, () => {
      const spki = opensslSpki(makeKey());
      const key = publicKeyFromSpki(spki);
      assert.equal(hex(spkiOf(key)), hex(spki));
      assert.equal(hex(spkiOf(key)), hex(opensslSpki(key)));
    });
  }

  const { publicKey: ecKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const point = subjectPublicKeyOf(opensslSpki(ecKey));
  const compressed = Uint8Array.of(0x02 | (point[64]! & 1), ...point.subarray(1, 33));
  const rsaKey = subjectPublicKeyOf(opensslSpki(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey));
  const rsaBody = new DerReader(rsaKey, (m) => new Error(m)).read(DerTag.SEQUENCE, "RSAPublicKey").content;
  const nonCanonical: [string, Uint8Array][] = [
    ["a compressed EC point", encodeSequence(encodeSequence(encodeOid(EC_PUBLIC_KEY), encodeOid(P256)), encodeBitString(compressed))],
    ["RSA without NULL parameters", encodeSequence(encodeSequence(encodeOid(RSA_ENCRYPTION)), encodeBitString(rsaKey))],
    [
      "an RSAPublicKey with a long-form length where the short one fits",
      encodeSequence(
        encodeSequence(encodeOid(RSA_ENCRYPTION), encodeNull()),
        encodeBitString(Uint8Array.of(DerTag.SEQUENCE, 0x83, 0x00, ...encodeLength(rsaBody.length).subarray(1), ...rsaBody)),
      ),
    ],
    ["trailing bytes", Uint8Array.of(...opensslSpki(ecKey), 0x00)],
    [
      "an EC key with an explicit NULL after the curve",
      encodeSequence(encodeSequence(encodeOid(EC_PUBLIC_KEY), encodeOid(P256), encodeNull()), encodeBitString(point)),
    ],
    [
      "a BIT STRING of a constructed form",
      encodeSequence(encodeSequence(encodeOid(EC_PUBLIC_KEY), encodeOid(P256)), encodeElement(0x23, encodeBitString(point))),
    ],
  ];
  for (const [name, spki] of nonCanonical) {
    it(`leave ${name} to OpenSSL: spkiOf is its encoding of the key read`, () => {
      let key: KeyObject;
      try {
        key = publicKeyFromSpki(spki);
      } catch (err) {
        assert.equal((err as { code?: string }).code, "ERR_KEY_UNSUPPORTED");
        return;
      }
      assert.equal(hex(spkiOf(key)), hex(opensslSpki(key)));
    });
  }

  it("keep their own copy of the bytes, and compute each key's encoding once", () => {
    const spki = opensslSpki(ecKey);
    const key = publicKeyFromSpki(spki);
    const expected = hex(spki);
    spki.fill(0);
    assert.equal(hex(spkiOf(key)), expected);
    assert.equal(spkiOf(ecKey), spkiOf(ecKey));
  });

  it("refuse an EC point off its curve with ERR_KEY_UNSUPPORTED", () => {
    const offCurve = Uint8Array.from(point);
    offCurve[64] ^= 1;
    const ecSpki = encodeSequence(encodeSequence(encodeOid(EC_PUBLIC_KEY), encodeOid(P256)), encodeBitString(offCurve));
    assert.throws(() => publicKeyFromSpki(ecSpki), { code: "ERR_KEY_UNSUPPORTED" });
  });

  it("refuse bytes node cannot read with ERR_KEY_UNSUPPORTED", () => {
    assert.throws(() => publicKeyFromSpki(Uint8Array.of(0x30, 0x00)), { code: "ERR_KEY_UNSUPPORTED" });
  });
});

describe("importPublicKeyFromSpki", () => {
  const data = Buffer.from("signed by the key's owner");
  for (const namedCurve of ["P-256", "P-384"]) {
    it(`reads an EC ${namedCurve} key from its point: OpenSSL's bytes back, its JWK, and signatures that verify`, async () => {
      for (let i = 0; i < 20; i++) {
        const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve });
        const spki = opensslSpki(publicKey);
        const key = await importPublicKeyFromSpki(spki);
        assert.equal(key.type, "public");
        assert.equal(hex(spkiOf(key)), hex(spki));
        assert.equal(hex(opensslSpki(key)), hex(spki));
        assert.deepEqual(
          publicJwkOf(key),
          createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" }).export({ format: "jwk" }),
        );
        assert.equal(verify(null, data, key, sign(null, data, privateKey)), true);
      }
    });
  }

  it("reads RSA keys and non-canonical bytes as publicKeyFromSpki does", async () => {
    const rsa = opensslSpki(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey);
    assert.equal(hex(spkiOf(await importPublicKeyFromSpki(rsa))), hex(rsa));
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const point = subjectPublicKeyOf(opensslSpki(publicKey));
    const compressed = Uint8Array.of(0x02 | (point[64]! & 1), ...point.subarray(1, 33));
    const spki = encodeSequence(encodeSequence(encodeOid(EC_PUBLIC_KEY), encodeOid(P256)), encodeBitString(compressed));
    assert.equal((await importPublicKeyFromSpki(spki)).equals(publicKey), true);
  });

  it("refuses an EC point off its curve, and bytes node cannot read, with ERR_KEY_UNSUPPORTED", async () => {
    const point = subjectPublicKeyOf(opensslSpki(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey));
    const offCurve = Uint8Array.from(point);
    offCurve[64] ^= 1;
    const ecSpki = encodeSequence(encodeSequence(encodeOid(EC_PUBLIC_KEY), encodeOid(P256)), encodeBitString(offCurve));
    await assert.rejects(() => importPublicKeyFromSpki(ecSpki), { code: "ERR_KEY_UNSUPPORTED" });
    await assert.rejects(() => importPublicKeyFromSpki(Uint8Array.of(0x30, 0x00)), { code: "ERR_KEY_UNSUPPORTED" });
  });
});
