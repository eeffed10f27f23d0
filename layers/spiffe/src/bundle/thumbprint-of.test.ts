import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, exportJWK } from "jose";
import { describe, it } from "node:test";
import { publicKeyFromSpki } from "../x509svid/key-type.js";
import { thumbprintOf } from "./thumbprint-of.js";

const keys: { name: string; publicKey: KeyObject; privateKey: KeyObject }[] = [
  { name: "EC P-256", ...generateKeyPairSync("ec", { namedCurve: "P-256" }) },
  { name: "EC P-384", ...generateKeyPairSync("ec", { namedCurve: "P-384" }) },
  { name: "RSA 2048", ...generateKeyPairSync("rsa", { modulusLength: 2048 }) },
  { name: "Ed25519", ...generateKeyPairSync("ed25519") },
];

// RFC 7638 section 3: SHA-256 over the required members, in lexicographic order, no whitespace.
function rfc7638(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: "jwk" });
  const canonical =
    jwk.kty === "EC"
      ? `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
      : jwk.kty === "RSA"
        ? `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`
        : `{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`;
  return createHash("sha256").update(canonical).digest("base64url");
}

describe("thumbprintOf", () => {
  for (const { name, publicKey } of keys) {
    it(`computes the RFC 7638 thumbprint of ${name}`, async () => {
      assert.equal(await thumbprintOf(publicKey), rfc7638(publicKey));
    });

    // A key read from its SPKI keeps the JWK it was imported from; the thumbprint is the one node's export gives.
    it(`computes the same thumbprint of ${name} read from its SPKI`, async () => {
      const read = publicKeyFromSpki(publicKey.export({ format: "der", type: "spki" }));
      assert.equal(await thumbprintOf(read), rfc7638(publicKey));
    });

    it(`agrees with jose for ${name}`, async () => {
      assert.equal(await thumbprintOf(publicKey), await calculateJwkThumbprint(await exportJWK(publicKey), "sha256"));
    });
  }

  it("differs between keys", async () => {
    const prints = await Promise.all(keys.map((k) => thumbprintOf(k.publicKey)));
    assert.equal(new Set(prints).size, keys.length);
  });

  it("refuses a private key", async () => {
    await assert.rejects(thumbprintOf(keys[0]!.privateKey), TypeError);
  });
});
