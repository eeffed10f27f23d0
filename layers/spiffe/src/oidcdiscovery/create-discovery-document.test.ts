import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from "node:crypto";
import { describe, it } from "node:test";
import { exportJWK } from "jose";
import { Bundle, thumbprintOf } from "../bundle/index.js";
import { TrustDomain } from "../spiffeid/index.js";
import { createDiscoveryDocument, marshalOidcDocuments } from "./create-discovery-document.js";
import { createOidcJwks } from "./create-oidc-jwks.js";

const td = TrustDomain.fromString("example.org");
const ISSUER = "https://spiffe.example.org";
const spki = (key: KeyObject) => key.export({ format: "der", type: "spki" });

async function bundleOf(...pairs: { publicKey: KeyObject; privateKey: KeyObject }[]): Promise<Bundle> {
  const entries: [string, Awaited<ReturnType<typeof exportJWK>>][] = [];
  for (const pair of pairs) entries.push([await thumbprintOf(pair.publicKey), await exportJWK(pair.publicKey)]);
  return new Bundle({ trustDomain: td, jwtAuthorities: entries, sequence: 3 });
}

describe("createOidcJwks", () => {
  it("lists every JWT key of the bundle with kid, use sig and the algorithm it signs with, sorted by kid", async () => {
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const bundle = await bundleOf(p256, p384, rsa);
    const { keys } = createOidcJwks(bundle);
    assert.deepEqual(
      keys.map((k) => k.kid),
      [...bundle.jwtAuthorities.keys()].sort(),
    );
    const byKid = new Map(keys.map((k) => [k.kid, k]));
    for (const [pair, alg] of [
      [p256, "ES256"],
      [p384, "ES384"],
      [rsa, "RS256"],
    ] as const) {
      const jwk = byKid.get(await thumbprintOf(pair.publicKey))!;
      assert.equal(jwk.use, "sig");
      assert.equal(jwk.alg, alg);
      assert.ok(spki(createPublicKey({ key: jwk as JsonWebKey, format: "jwk" })).equals(spki(pair.publicKey)));
    }
  });

  it("never publishes a private member, even when the bundle holds a private JWK", async () => {
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const bundle = new Bundle({ trustDomain: td, jwtAuthorities: [["k1", await exportJWK(pair.privateKey)]] });
    const { keys } = createOidcJwks(bundle);
    assert.equal(keys.length, 1);
    assert.deepEqual(Object.keys(keys[0]!).sort(), ["alg", "crv", "kid", "kty", "use", "x", "y"]);
    assert.ok(!JSON.stringify(keys).includes('"d"'));
  });

  it("lists no X.509 authority", async () => {
    assert.deepEqual(createOidcJwks(new Bundle({ trustDomain: td })).keys, []);
  });
});

describe("createDiscoveryDocument", () => {
  it("names the issuer, its JWKS URL, id_token, public subjects and the keys' algorithms", async () => {
    const bundle = await bundleOf(generateKeyPairSync("ec", { namedCurve: "P-256" }), generateKeyPairSync("rsa", { modulusLength: 2048 }));
    assert.deepEqual(createDiscoveryDocument(ISSUER, bundle), {
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256", "RS256"],
      claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti"],
    });
  });

  it("marshals both documents as compact JSON", async () => {
    const bundle = await bundleOf(generateKeyPairSync("ec", { namedCurve: "P-256" }));
    const { discovery, jwks } = marshalOidcDocuments(ISSUER, bundle);
    assert.deepEqual(JSON.parse(discovery), createDiscoveryDocument(ISSUER, bundle));
    assert.deepEqual(JSON.parse(jwks), createOidcJwks(bundle));
    assert.ok(!discovery.includes("\n") && !jwks.includes("\n"));
  });
});
