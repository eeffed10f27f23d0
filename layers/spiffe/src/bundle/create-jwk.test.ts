import assert from "node:assert/strict";
import { createPublicKey, createSecretKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from "node:crypto";
import { describe, it } from "node:test";
import { createJwk } from "./create-jwk.js";

const keys: { name: string; publicKey: KeyObject; privateKey: KeyObject; members: string[] }[] = [
  { name: "EC P-256", ...generateKeyPairSync("ec", { namedCurve: "P-256" }), members: ["crv", "x", "y"] },
  { name: "EC P-384", ...generateKeyPairSync("ec", { namedCurve: "P-384" }), members: ["crv", "x", "y"] },
  { name: "EC P-521", ...generateKeyPairSync("ec", { namedCurve: "P-521" }), members: ["crv", "x", "y"] },
  { name: "RSA 2048", ...generateKeyPairSync("rsa", { modulusLength: 2048 }), members: ["n", "e"] },
];

const spki = { format: "der", type: "spki" } as const;

describe("createJwk", () => {
  for (const { name, publicKey, members } of keys) {
    it(`writes an x509-svid JWK of ${name} with no kid, members in order`, () => {
      const jwk = createJwk(publicKey, "x509-svid");
      assert.deepEqual(Object.keys(jwk), ["use", "kty", ...members]);
      assert.equal(jwk.use, "x509-svid");
      assert.ok(
        createPublicKey({ key: jwk as JsonWebKey, format: "jwk" })
          .export(spki)
          .equals(publicKey.export(spki)),
      );
    });
    it(`writes a jwt-svid JWK of ${name} with its kid, members in order`, () => {
      const jwk = createJwk(publicKey, "jwt-svid", "key-1");
      assert.deepEqual(Object.keys(jwk), ["use", "kty", "kid", ...members]);
      assert.equal(jwk.kid, "key-1");
      assert.ok(
        createPublicKey({ key: jwk as JsonWebKey, format: "jwk" })
          .export(spki)
          .equals(publicKey.export(spki)),
      );
    });
  }

  const misuse: { name: string; call: () => unknown; code?: string }[] = [
    { name: "a private key", call: () => createJwk(keys[0]!.privateKey, "jwt-svid", "k") },
    { name: "a secret key", call: () => createJwk(createSecretKey(Buffer.alloc(32)), "jwt-svid", "k") },
    { name: "a kid on an x509-svid key", call: () => createJwk(keys[0]!.publicKey, "x509-svid", "k") },
    { name: "an empty kid", call: () => createJwk(keys[0]!.publicKey, "jwt-svid", "") },
    { name: "an unknown use", call: () => createJwk(keys[0]!.publicKey, "sig" as "jwt-svid") },
    {
      name: "an Ed25519 key",
      call: () => createJwk(generateKeyPairSync("ed25519").publicKey, "jwt-svid", "k"),
      code: "ERR_KEY_UNSUPPORTED",
    },
    {
      name: "a secp256k1 key",
      call: () => createJwk(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey, "jwt-svid", "k"),
      code: "ERR_KEY_UNSUPPORTED",
    },
  ];
  for (const { name, call, code } of misuse) {
    it(`refuses ${name}`, () => {
      if (code) assert.throws(call, { code });
      else assert.throws(call, TypeError);
    });
  }
});
