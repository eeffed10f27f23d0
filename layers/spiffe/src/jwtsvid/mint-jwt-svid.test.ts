import assert from "node:assert/strict";
import { generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { describe, it } from "node:test";
import { compactVerify, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { Bundle, createJwk, marshalSpiffeBundle, parseSpiffeBundle } from "../bundle/index.js";
import { signatureAlgorithmFor } from "../keymanager/spec.js";
import type { KeySpec, SigningKey } from "../keymanager/types.js";
import { SpiffeId, TrustDomain } from "../spiffeid/index.js";
import { mintJwtSvid, type MintJwtSvidOptions } from "./mint-jwt-svid.js";
import { parseAndValidateJwtSvid } from "./parse-and-validate-jwt-svid.js";

const td = TrustDomain.fromString("example.org");
const spiffeId = SpiffeId.fromString("spiffe://example.org/ns/prod/sa/web");
const now = new Date("2030-01-02T03:04:05.678Z");
const iat = Math.floor(now.getTime() / 1000);

// A SigningKey as a key manager gives one: node:crypto signs, ECDSA comes back DER-encoded.
function makeSigningKey(spec: KeySpec, signWith?: KeyObject): SigningKey {
  const pair =
    spec === "RSA_2048"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: spec === "ECC_NIST_P256" ? "P-256" : "P-384" });
  const { hash } = signatureAlgorithmFor(spec);
  return {
    id: `test-${spec}`,
    spec,
    publicKey: pair.publicKey,
    sign: async (data) => new Uint8Array(sign(hash, data, signWith ?? pair.privateKey)),
  };
}

const specs: { spec: KeySpec; alg: string; signatureLength?: number }[] = [
  { spec: "ECC_NIST_P256", alg: "ES256", signatureLength: 64 },
  { spec: "ECC_NIST_P384", alg: "ES384", signatureLength: 96 },
  { spec: "RSA_2048", alg: "RS256", signatureLength: 256 },
];

function decodePart(token: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[index]!, "base64url").toString());
}

for (const { spec, alg, signatureLength } of specs) {
  describe(`mintJwtSvid with ${spec}`, () => {
    const key = makeSigningKey(spec);
    const options: MintJwtSvidOptions = { key, kid: "kid-1", spiffeId, audience: ["reports"], ttlSeconds: 300, now };

    it("writes exactly the header {alg, kid, typ}", async () => {
      const token = await mintJwtSvid(options);
      assert.deepEqual(Object.entries(decodePart(token, 0)), [
        ["alg", alg],
        ["kid", "kid-1"],
        ["typ", "JWT"],
      ]);
      assert.deepEqual(decodeProtectedHeader(token), { alg, kid: "kid-1", typ: "JWT" });
    });

    it("writes sub, aud as a string, exp, iat and a random jti", async () => {
      const token = await mintJwtSvid(options);
      const claims = decodePart(token, 1);
      assert.deepEqual(Object.keys(claims), ["sub", "aud", "exp", "iat", "jti"]);
      assert.equal(claims.sub, "spiffe://example.org/ns/prod/sa/web");
      assert.equal(claims.aud, "reports");
      assert.equal(claims.iat, iat);
      assert.equal(claims.exp, iat + 300);
      assert.match(claims.jti as string, /^[A-Za-z0-9_-]{22}$/);
      assert.notEqual(decodePart(await mintJwtSvid(options), 1).jti, claims.jti);
    });

    it("writes aud as an array for several audiences and keeps a given jti", async () => {
      const token = await mintJwtSvid({ ...options, audience: ["a", "b"], jti: "my-jti" });
      const claims = decodePart(token, 1);
      assert.deepEqual(claims.aud, ["a", "b"]);
      assert.equal(claims.jti, "my-jti");
    });

    it(`signs in the JOSE form (${signatureLength} bytes), which node:crypto verifies`, async () => {
      const token = await mintJwtSvid(options);
      const [h, p, s] = token.split(".") as [string, string, string];
      const signature = Buffer.from(s, "base64url");
      assert.equal(signature.length, signatureLength);
      const { hash } = signatureAlgorithmFor(spec);
      assert.ok(verify(hash, Buffer.from(`${h}.${p}`), { key: key.publicKey, dsaEncoding: "ieee-p1363" }, signature));
    });

    it("verifies with plain jose against the JWK of a published bundle", async () => {
      const token = await mintJwtSvid({ ...options, audience: ["reports", "audit"] });
      const published = marshalSpiffeBundle(
        new Bundle({ trustDomain: td, jwtAuthorities: [["kid-1", createJwk(key.publicKey, "jwt-svid", "kid-1")]] }),
      );
      const jwk = parseSpiffeBundle(published, td).getJwtAuthority(td, "kid-1")!;
      const { payload, protectedHeader } = await jwtVerify(token, await importJWK(jwk, alg), {
        algorithms: [alg],
        audience: "audit",
        currentDate: now,
        typ: "JWT",
        requiredClaims: ["exp", "iat", "jti", "sub"],
      });
      assert.equal(payload.sub, spiffeId.toString());
      assert.equal(protectedHeader.kid, "kid-1");
      await assert.rejects(
        jwtVerify(token, await importJWK(jwk, alg), { audience: "audit", currentDate: new Date(now.getTime() + 300_000) }),
        {
          code: "ERR_JWT_EXPIRED",
        },
      );
    });

    it("writes iss first when given an issuer, and parseAndValidateJwtSvid accepts and returns it", async () => {
      const token = await mintJwtSvid({ ...options, issuer: "https://spiffe.example.org" });
      const claims = decodePart(token, 1);
      assert.deepEqual(Object.keys(claims), ["iss", "sub", "aud", "exp", "iat", "jti"]);
      assert.equal(claims.iss, "https://spiffe.example.org");
      const bundle = new Bundle({ trustDomain: td, jwtAuthorities: [["kid-1", createJwk(key.publicKey, "jwt-svid", "kid-1")]] });
      const svid = await parseAndValidateJwtSvid(token, bundle, { audience: ["reports"], now });
      assert.equal(svid.claims.iss, "https://spiffe.example.org");
    });

    it("round-trips through parseAndValidateJwtSvid", async () => {
      const token = await mintJwtSvid(options);
      const bundle = new Bundle({ trustDomain: td, jwtAuthorities: [["kid-1", createJwk(key.publicKey, "jwt-svid", "kid-1")]] });
      const svid = await parseAndValidateJwtSvid(token, bundle, { audience: ["reports"], now });
      assert.ok(svid.spiffeId.equals(spiffeId));
      assert.deepEqual(svid.audience, ["reports"]);
      assert.equal(svid.expiresAt.getTime(), (iat + 300) * 1000);
    });

    it("refuses a key whose signature does not match its public key", async () => {
      const other =
        spec === "RSA_2048"
          ? generateKeyPairSync("rsa", { modulusLength: 2048 })
          : generateKeyPairSync("ec", { namedCurve: spec === "ECC_NIST_P256" ? "P-256" : "P-384" });
      const broken = makeSigningKey(spec, other.privateKey);
      await assert.rejects(mintJwtSvid({ ...options, key: broken }), {
        code: "ERR_KEY_MANAGER",
        message: /^jwtsvid: the signature of key test-/,
      });
    });
  });
}

describe("mintJwtSvid misuse", () => {
  const key = makeSigningKey("ECC_NIST_P256");
  const base: MintJwtSvidOptions = { key, kid: "kid-1", spiffeId, audience: ["reports"], ttlSeconds: 300, now };
  const cases: { name: string; options: Partial<MintJwtSvidOptions> & Record<string, unknown> }[] = [
    { name: "an empty audience list", options: { audience: [] } },
    { name: "an empty audience", options: { audience: ["a", ""] } },
    { name: "an audience that is a string", options: { audience: "reports" as unknown as string[] } },
    { name: "an empty kid", options: { kid: "" } },
    { name: "a SPIFFE ID string", options: { spiffeId: "spiffe://example.org/a" as unknown as SpiffeId } },
    { name: "a zero TTL", options: { ttlSeconds: 0 } },
    { name: "a negative TTL", options: { ttlSeconds: -1 } },
    { name: "a fractional TTL", options: { ttlSeconds: 1.5 } },
    { name: "an invalid date", options: { now: new Date(Number.NaN) } },
    { name: "a number for now", options: { now: 0 as unknown as Date } },
    { name: "an empty jti", options: { jti: "" } },
    { name: "an empty issuer", options: { issuer: "" } },
  ];
  for (const { name, options } of cases) {
    it(`refuses ${name} with a TypeError`, async () => {
      await assert.rejects(mintJwtSvid({ ...base, ...options }), TypeError);
    });
  }

  it("the signature does not cover a swapped payload", async () => {
    const token = await mintJwtSvid(base);
    const other = await mintJwtSvid({ ...base, spiffeId: SpiffeId.fromString("spiffe://example.org/admin") });
    const [h, , s] = token.split(".");
    const forged = `${h}.${other.split(".")[1]}.${s}`;
    await assert.rejects(compactVerify(forged, key.publicKey), { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
  });
});
