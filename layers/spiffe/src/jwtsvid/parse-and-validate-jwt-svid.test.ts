import assert from "node:assert/strict";
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, it } from "node:test";
import type { JWK } from "jose";
import { Bundle, createJwk } from "../bundle/index.js";
import { signatureAlgorithmFor } from "../keymanager/spec.js";
import type { SigningKey } from "../keymanager/types.js";
import { SpiffeId, TrustDomain } from "../spiffeid/index.js";
import type { JwtAuthoritySource } from "./jwt-authority-source.js";
import { mintJwtSvid } from "./mint-jwt-svid.js";
import { parseAndValidateJwtSvid } from "./parse-and-validate-jwt-svid.js";
import { b64, forge, signerFor, type Signer } from "./test-support.js";

const INVALID = "ERR_JWTSVID_INVALID";
const td = TrustDomain.fromString("example.org");
const evilTd = TrustDomain.fromString("evil.org");
const now = new Date("2030-06-01T12:00:00Z");
const nowSec = now.getTime() / 1000;

const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const p521 = generateKeyPairSync("ec", { namedCurve: "P-521" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsaSmall = generateKeyPairSync("rsa", { modulusLength: 1024 });
const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });

const jwkOf = (publicKey: KeyObject, kid: string): JWK => createJwk(publicKey, "jwt-svid", kid);
const bundle = new Bundle({
  trustDomain: td,
  jwtAuthorities: [
    ["k-p256", jwkOf(p256.publicKey, "k-p256")],
    ["k-p384", jwkOf(p384.publicKey, "k-p384")],
    ["k-p521", jwkOf(p521.publicKey, "k-p521")],
    ["k-rsa", jwkOf(rsa.publicKey, "k-rsa")],
    ["k-rsa-rs256-only", { ...jwkOf(rsa.publicKey, "k-rsa-rs256-only"), alg: "RS256" }],
    ["k-rsa-small", rsaSmall.publicKey.export({ format: "jwk" }) as JWK],
  ],
});
const evilBundle = new Bundle({ trustDomain: evilTd, jwtAuthorities: [["k-p256", jwkOf(stranger.publicKey, "k-p256")]] });
const federated: JwtAuthoritySource = {
  getJwtAuthority: (trustDomain, kid) => bundle.getJwtAuthority(trustDomain, kid) ?? evilBundle.getJwtAuthority(trustDomain, kid),
};

const goodHeader = { alg: "ES256", kid: "k-p256", typ: "JWT" };
const goodClaims = { sub: "spiffe://example.org/workload", aud: "svc", exp: nowSec + 300, iat: nowSec, jti: "j1" };
const es256 = signerFor("ES256", p256.privateKey);

function token(header: Record<string, unknown> = {}, claims: Record<string, unknown> = {}, signer: Signer = es256): string {
  const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return forge(strip({ ...goodHeader, ...header }), strip({ ...goodClaims, ...claims }), signer);
}

const validate = (t: string, audience = ["svc"], source: JwtAuthoritySource = bundle) =>
  parseAndValidateJwtSvid(t, source, { audience, now });

describe("parseAndValidateJwtSvid accepts", () => {
  const algorithms: { alg: string; kid: string; key: KeyObject }[] = [
    { alg: "ES256", kid: "k-p256", key: p256.privateKey },
    { alg: "ES384", kid: "k-p384", key: p384.privateKey },
    { alg: "ES512", kid: "k-p521", key: p521.privateKey },
    ...["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"].map((alg) => ({ alg, kid: "k-rsa", key: rsa.privateKey })),
  ];
  for (const { alg, kid, key } of algorithms) {
    it(`${alg} signed by ${kid}`, async () => {
      const svid = await validate(token({ alg, kid }, {}, signerFor(alg, key)));
      assert.equal(svid.spiffeId.toString(), "spiffe://example.org/workload");
      assert.deepEqual(svid.audience, ["svc"]);
      assert.equal(svid.expiresAt.getTime(), (nowSec + 300) * 1000);
      assert.equal(svid.claims.jti, "j1");
      assert.deepEqual(svid.header, { alg, kid, typ: "JWT" });
    });
  }

  const variants: { name: string; token: () => string; audience?: string[] }[] = [
    { name: "a header without typ", token: () => token({ typ: undefined }) },
    { name: "typ JOSE", token: () => token({ typ: "JOSE" }) },
    { name: "an aud array holding the audience", token: () => token({}, { aud: ["other", "svc"] }) },
    { name: "one of several expected audiences", token: () => token({}, { aud: "b" }), audience: ["a", "b"] },
    { name: "exp one second from now", token: () => token({}, { exp: nowSec + 1 }) },
    { name: "no iat and no jti", token: () => token({}, { iat: undefined, jti: undefined }) },
    { name: "private claims", token: () => token({}, { "https://example.org/team": "payments" }) },
    {
      name: "RS256 with a key pinned to RS256",
      token: () => token({ alg: "RS256", kid: "k-rsa-rs256-only" }, {}, signerFor("RS256", rsa.privateKey)),
    },
  ];
  for (const { name, token: make, audience } of variants) {
    it(name, async () => {
      const svid = await validate(make(), audience);
      assert.equal(svid.spiffeId.toString(), "spiffe://example.org/workload");
    });
  }

  it("a token from another trust domain signed by that trust domain's key", async () => {
    const svid = await validate(token({}, { sub: "spiffe://evil.org/w" }, signerFor("ES256", stranger.privateKey)), ["svc"], federated);
    assert.ok(svid.spiffeId.memberOf(evilTd));
  });

  it("a token minted by mintJwtSvid with a SigningKey", async () => {
    const key: SigningKey = {
      id: "jwt-a",
      spec: "ECC_NIST_P256",
      publicKey: p256.publicKey,
      sign: async (data) => sign(signatureAlgorithmFor("ECC_NIST_P256").hash, data, p256.privateKey),
    };
    const minted = await mintJwtSvid({
      key,
      kid: "k-p256",
      spiffeId: SpiffeId.fromString("spiffe://example.org/m"),
      audience: ["svc"],
      ttlSeconds: 60,
      now,
    });
    assert.equal((await validate(minted)).spiffeId.path, "/m");
  });
});

describe("parseAndValidateJwtSvid refuses", () => {
  const hmacKeys: { name: string; secret: Buffer }[] = [
    { name: "the public key PEM", secret: Buffer.from(p256.publicKey.export({ format: "pem", type: "spki" }) as string) },
    { name: "the public key DER", secret: p256.publicKey.export({ format: "der", type: "spki" }) },
    { name: "the public JWK JSON", secret: Buffer.from(JSON.stringify(bundle.getJwtAuthority(td, "k-p256"))) },
  ];
  const [h, p, s] = token().split(".") as [string, string, string];
  const attacks: { name: string; token: () => string; source?: JwtAuthoritySource; message: RegExp }[] = [
    {
      name: "alg none without a signature",
      token: () => `${b64({ ...goodHeader, alg: "none" })}.${p}.`,
      message: /^jwtsvid: token alg is not allowed$/,
    },
    {
      name: "alg none with the original signature",
      token: () => `${b64({ ...goodHeader, alg: "none" })}.${p}.${s}`,
      message: /alg is not allowed$/,
    },
    { name: "alg None", token: () => token({ alg: "None" }), message: /alg is not allowed$/ },
    ...hmacKeys.map(({ name, secret }) => ({
      name: `HS256 keyed with ${name} (algorithm confusion)`,
      token: () => token({ alg: "HS256" }, {}, signerFor("HS256", secret)),
      message: /alg is not allowed$/,
    })),
    {
      name: "HS512 keyed with the public key PEM",
      token: () => token({ alg: "HS512" }, {}, signerFor("HS512", hmacKeys[0]!.secret)),
      message: /alg is not allowed$/,
    },
    { name: "EdDSA", token: () => token({ alg: "EdDSA" }), message: /alg is not allowed$/ },
    { name: "a missing alg", token: () => token({ alg: undefined }), message: /alg is not allowed$/ },
    {
      name: "ES384 on a P-256 key",
      token: () => token({ alg: "ES384" }, {}, signerFor("ES384", p256.privateKey)),
      message: /^jwtsvid: token alg does not fit the key$/,
    },
    {
      name: "ES256 on a P-384 key",
      token: () => token({ alg: "ES256", kid: "k-p384" }, {}, signerFor("ES256", p384.privateKey)),
      message: /alg does not fit the key$/,
    },
    {
      name: "RS256 on an EC key",
      token: () => token({ alg: "RS256" }, {}, signerFor("RS256", rsa.privateKey)),
      message: /alg does not fit the key$/,
    },
    {
      name: "PS256 on an EC key",
      token: () => token({ alg: "PS256" }, {}, signerFor("PS256", rsa.privateKey)),
      message: /alg does not fit the key$/,
    },
    { name: "ES256 on an RSA key", token: () => token({ alg: "ES256", kid: "k-rsa" }), message: /alg does not fit the key$/ },
    {
      name: "PS256 on an RSA key pinned to RS256",
      token: () => token({ alg: "PS256", kid: "k-rsa-rs256-only" }, {}, signerFor("PS256", rsa.privateKey)),
      message: /alg does not fit the key$/,
    },
    {
      name: "RS256 on a 1024-bit RSA key",
      token: () => token({ alg: "RS256", kid: "k-rsa-small" }, {}, signerFor("RS256", rsaSmall.privateKey)),
      message: /^jwtsvid: token could not be verified$/,
    },
    {
      name: "an unknown kid",
      token: () => token({ kid: "k-unknown" }),
      message: /^jwtsvid: no JWT authority with that kid in trust domain example\.org$/,
    },
    { name: "a missing kid", token: () => token({ kid: undefined }), message: /^jwtsvid: token has no kid$/ },
    { name: "an empty kid", token: () => token({ kid: "" }), message: /^jwtsvid: token has no kid$/ },
    { name: "a numeric kid", token: () => token({ kid: 1 }), message: /^jwtsvid: token has no kid$/ },
    {
      name: "sub in a trust domain the source does not know",
      token: () => token({}, { sub: "spiffe://evil.org/w" }),
      message: /^jwtsvid: no JWT authority with that kid in trust domain evil\.org$/,
    },
    {
      name: "sub in another trust domain, signed by this trust domain's key under a kid that trust domain also has",
      token: () => token({}, { sub: "spiffe://evil.org/w" }),
      source: federated,
      message: /^jwtsvid: token could not be verified$/,
    },
    {
      name: "sub in this trust domain, signed by another trust domain's key",
      token: () => token({}, {}, signerFor("ES256", stranger.privateKey)),
      source: federated,
      message: /^jwtsvid: token could not be verified$/,
    },
    { name: "a missing sub", token: () => token({}, { sub: undefined }), message: /^jwtsvid: token has no sub$/ },
    {
      name: "a sub that is not a SPIFFE ID",
      token: () => token({}, { sub: "workload" }),
      message: /^jwtsvid: sub is not a valid SPIFFE ID$/,
    },
    {
      name: "a sub with a trailing slash",
      token: () => token({}, { sub: "spiffe://example.org/w/" }),
      message: /sub is not a valid SPIFFE ID$/,
    },
    { name: "a missing aud", token: () => token({}, { aud: undefined }), message: /^jwtsvid: token has no aud$/ },
    { name: "a wrong aud", token: () => token({}, { aud: "other" }), message: /^jwtsvid: audience mismatch$/ },
    { name: "an aud that only shares a prefix", token: () => token({}, { aud: "svc2" }), message: /audience mismatch$/ },
    { name: "an aud array without the audience", token: () => token({}, { aud: ["a", "b"] }), message: /audience mismatch$/ },
    { name: "an empty aud array", token: () => token({}, { aud: [] }), message: /audience mismatch$/ },
    { name: "a numeric aud", token: () => token({}, { aud: 5 }), message: /audience mismatch$/ },
    { name: "an expired token", token: () => token({}, { exp: nowSec - 1 }), message: /^jwtsvid: token has expired$/ },
    { name: "a token expiring this second", token: () => token({}, { exp: nowSec }), message: /token has expired$/ },
    { name: "a missing exp", token: () => token({}, { exp: undefined }), message: /^jwtsvid: token has no exp$/ },
    { name: "a string exp", token: () => token({}, { exp: String(nowSec + 300) }), message: /^jwtsvid: exp claim is invalid$/ },
    { name: "a token not valid yet (nbf)", token: () => token({}, { nbf: nowSec + 60 }), message: /^jwtsvid: nbf claim is invalid$/ },
    ...["jku", "x5u", "jwk", "x5c", "x5t", "cty", "b64", "zip", "foo"].map((member) => ({
      name: `an extra header ${member}`,
      token: () => token({ [member]: member === "b64" ? false : "https://attacker.example/x" }),
      message: /^jwtsvid: token header may only hold alg, kid and typ$/,
    })),
    { name: "a crit header", token: () => token({ crit: ["exp"] }), message: /header may only hold alg, kid and typ$/ },
    {
      name: "an embedded jwk of the attacker's key",
      token: () => token({ jwk: jwkOf(stranger.publicKey, "k-p256") }, {}, signerFor("ES256", stranger.privateKey)),
      message: /header may only hold/,
    },
    { name: "typ at+jwt", token: () => token({ typ: "at+jwt" }), message: /^jwtsvid: token typ must be JWT or JOSE$/ },
    { name: "typ jwt in lowercase", token: () => token({ typ: "jwt" }), message: /typ must be JWT or JOSE$/ },
    {
      name: "a tampered payload",
      token: () => `${h}.${b64({ ...goodClaims, sub: "spiffe://example.org/admin" })}.${s}`,
      message: /^jwtsvid: token could not be verified$/,
    },
    { name: "a tampered header", token: () => `${b64({ ...goodHeader, typ: "JOSE" })}.${p}.${s}`, message: /could not be verified$/ },
    {
      name: "a wrong key under a known kid",
      token: () => token({}, {}, signerFor("ES256", stranger.privateKey)),
      message: /could not be verified$/,
    },
    {
      name: "a DER-encoded ECDSA signature",
      token: () => token({}, {}, (input) => sign("sha256", input, p256.privateKey)),
      message: /could not be verified$/,
    },
    { name: "an empty signature", token: () => `${h}.${p}.`, message: /could not be verified$/ },
    { name: "a truncated signature", token: () => `${h}.${p}.${s.slice(0, -4)}`, message: /could not be verified$/ },
    { name: "an empty string", token: () => "", message: /^jwtsvid: token is not a compact JWS$/ },
    { name: "two parts", token: () => `${h}.${p}`, message: /^jwtsvid: token is not a compact JWS$/ },
    { name: "five parts (JWE)", token: () => `${h}.${p}.${s}.a.b`, message: /^jwtsvid: token is not a compact JWS$/ },
    {
      name: "JWS JSON serialization",
      token: () => JSON.stringify({ protected: h, payload: p, signature: s }),
      message: /^jwtsvid: token is not a compact JWS$/,
    },
    { name: "padding in base64url", token: () => `${h}=.${p}.${s}`, message: /^jwtsvid: token is malformed$/ },
    {
      name: "base64 instead of base64url",
      token: () => `${h}.${p}.${Buffer.from(s, "base64url").toString("base64")}`,
      message: /^jwtsvid: token is malformed$/,
    },
    { name: "a header that is not JSON", token: () => `${b64("not json")}.${p}.${s}`, message: /^jwtsvid: token is malformed$/ },
    { name: "a payload that is a JSON array", token: () => `${h}.${b64([goodClaims])}.${s}`, message: /^jwtsvid: token is malformed$/ },
    {
      name: "a payload that is not UTF-8",
      token: () => `${h}.${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}.${s}`,
      message: /^jwtsvid: token is malformed$/,
    },
  ];
  for (const { name, token: make, source, message } of attacks) {
    it(name, async () => {
      await assert.rejects(validate(make(), ["svc"], source), { code: INVALID, message });
    });
  }

  it("keeps why a key cannot verify as the cause", async () => {
    const small = token({ alg: "RS256", kid: "k-rsa-small" }, {}, signerFor("RS256", rsaSmall.privateKey));
    await assert.rejects(validate(small), (err: Error & { code: string }) => {
      assert.equal(err.code, INVALID);
      assert.match((err.cause as Error).message, /shorter than 2048 bits/);
      return true;
    });
  });
});

describe("parseAndValidateJwtSvid on a token it accepted before", () => {
  const seen = token({}, { jti: "seen-before" });
  const [h, p] = seen.split(".") as [string, string];

  it("refuses the same header and claims under another signature", async () => {
    await validate(seen);
    const forged = `${h}.${p}.${signerFor("ES256", stranger.privateKey)(Buffer.from(`${h}.${p}`)).toString("base64url")}`;
    await assert.rejects(validate(forged), { code: INVALID, message: /could not be verified$/ });
  });

  it("refuses it once the bundle holds another key under its kid", async () => {
    await validate(seen);
    const rekeyed = new Bundle({ trustDomain: td, jwtAuthorities: [["k-p256", jwkOf(stranger.publicKey, "k-p256")]] });
    await assert.rejects(validate(seen, ["svc"], rekeyed), { code: INVALID, message: /could not be verified$/ });
  });

  it("keeps a JWK it imported from being changed under its cached key", async () => {
    const jwk = jwkOf(p256.publicKey, "k-p256");
    await validate(seen, ["svc"], new Bundle({ trustDomain: td, jwtAuthorities: [["k-p256", jwk]] }));
    const { x, y } = jwkOf(stranger.publicKey, "k-p256");
    assert.throws(() => Object.assign(jwk, { x, y }), TypeError);
  });

  it("refuses it once it has expired, and for another audience", async () => {
    await validate(seen);
    const later = new Date(now.getTime() + 300_000);
    await assert.rejects(parseAndValidateJwtSvid(seen, bundle, { audience: ["svc"], now: later }), { code: INVALID, message: /expired$/ });
    await assert.rejects(validate(seen, ["other"]), { code: INVALID, message: /audience mismatch$/ });
  });
});

describe("parseAndValidateJwtSvid time", () => {
  const t = token({}, { exp: nowSec + 300 });
  const cases: { offsetSeconds: number; ok: boolean }[] = [
    { offsetSeconds: -3600, ok: true },
    { offsetSeconds: 0, ok: true },
    { offsetSeconds: 299, ok: true },
    { offsetSeconds: 300, ok: false },
    { offsetSeconds: 86_400, ok: false },
  ];
  for (const { offsetSeconds, ok } of cases) {
    it(`${ok ? "accepts" : "refuses"} the token ${offsetSeconds} s after minting`, async () => {
      const result = parseAndValidateJwtSvid(t, bundle, { audience: ["svc"], now: new Date(now.getTime() + offsetSeconds * 1000) });
      if (ok) await result;
      else await assert.rejects(result, { code: INVALID, message: /token has expired$/ });
    });
  }

  it("uses the wall clock when no time is given", async () => {
    const realNow = Math.floor(Date.now() / 1000);
    await parseAndValidateJwtSvid(token({}, { exp: realNow + 300 }), bundle, { audience: ["svc"] });
    await assert.rejects(parseAndValidateJwtSvid(token({}, { exp: realNow - 300 }), bundle, { audience: ["svc"] }), { code: INVALID });
  });
});

describe("parseAndValidateJwtSvid misuse", () => {
  const cases: { name: string; call: () => Promise<unknown> }[] = [
    { name: "no audience", call: () => parseAndValidateJwtSvid(token(), bundle, { audience: [], now }) },
    { name: "an empty audience", call: () => parseAndValidateJwtSvid(token(), bundle, { audience: [""], now }) },
    { name: "an audience string", call: () => parseAndValidateJwtSvid(token(), bundle, { audience: "svc" as unknown as string[], now }) },
    { name: "an invalid now", call: () => parseAndValidateJwtSvid(token(), bundle, { audience: ["svc"], now: new Date("x") }) },
    {
      name: "a token that is not a string",
      call: () => parseAndValidateJwtSvid(42 as unknown as string, bundle, { audience: ["svc"], now }),
    },
  ];
  for (const { name, call } of cases) {
    it(`refuses ${name} with a TypeError`, async () => {
      await assert.rejects(call(), TypeError);
    });
  }
});
