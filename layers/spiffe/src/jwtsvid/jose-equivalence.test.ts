// parseAndValidateJwtSvid checks signatures with node:crypto and claims with its own code; it used
// jose's jwtVerify for both. These tests hold it to jose's verdicts: every token here passes the
// validator's own header, sub and kid checks, and the two must then agree on accepting it and, for
// a refusal, on the reason, for valid, tampered, wrong-alg, wrong-key, expired, wrong-audience,
// not-yet-valid and other-trust-domain tokens, odd keys, and random signatures and claim sets.
import assert from "node:assert/strict";
import { constants, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, it } from "node:test";
import { errors, importJWK, jwtVerify, type JWK } from "jose";
import { createJwk } from "../bundle/index.js";
import { TrustDomain } from "../spiffeid/index.js";
import type { JwtAuthoritySource } from "./jwt-authority-source.js";
import { parseAndValidateJwtSvid } from "./parse-and-validate-jwt-svid.js";
import { readJwtSvid } from "./read-token.js";
import { b64, forge, signerFor, type Signer } from "./test-support.js";

const now = new Date("2030-06-01T12:00:30.900Z");
const nowSec = Math.floor(now.getTime() / 1000);
const audience = ["svc", "other-svc"];

const pairs = {
  p256: generateKeyPairSync("ec", { namedCurve: "P-256" }),
  p384: generateKeyPairSync("ec", { namedCurve: "P-384" }),
  p521: generateKeyPairSync("ec", { namedCurve: "P-521" }),
  rsa: generateKeyPairSync("rsa", { modulusLength: 2048 }),
  rsaSmall: generateKeyPairSync("rsa", { modulusLength: 1024 }),
  stranger: generateKeyPairSync("ec", { namedCurve: "P-256" }),
};
const jwkOf = (key: KeyObject, extra: Record<string, unknown> = {}): JWK => ({ ...createJwk(key, "jwt-svid", "k"), ...extra });

interface KeyCase {
  name: string;
  jwk: () => JWK;
  algs: string[];
  /** Signs the tokens: the key's own private key, so only the key itself can make them fail. */
  signWith: KeyObject;
  refused?: boolean;
}

const p256Case = (name: string, jwk: () => JWK, refused = false): KeyCase => ({
  name,
  jwk,
  algs: ["ES256"],
  signWith: pairs.p256.privateKey,
  refused,
});

/** The keys under test; jose refused the `refused` ones whatever they verified. */
const keys: KeyCase[] = [
  p256Case("P-256", () => jwkOf(pairs.p256.publicKey)),
  { name: "P-384", jwk: () => jwkOf(pairs.p384.publicKey), algs: ["ES384"], signWith: pairs.p384.privateKey },
  { name: "P-521", jwk: () => jwkOf(pairs.p521.publicKey), algs: ["ES512"], signWith: pairs.p521.privateKey },
  {
    name: "RSA-2048",
    jwk: () => jwkOf(pairs.rsa.publicKey),
    algs: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
    signWith: pairs.rsa.privateKey,
  },
  {
    name: "RSA-1024",
    jwk: () => jwkOf(pairs.rsaSmall.publicKey),
    algs: ["RS256", "PS256"],
    signWith: pairs.rsaSmall.privateKey,
    refused: true,
  },
  {
    name: "RSA with oth",
    jwk: () => jwkOf(pairs.rsa.publicKey, { oth: [] }),
    algs: ["RS256"],
    signWith: pairs.rsa.privateKey,
  },
  p256Case("a private P-256 JWK", () => pairs.p256.privateKey.export({ format: "jwk" }) as JWK, true),
  p256Case("key_ops [sign]", () => jwkOf(pairs.p256.publicKey, { key_ops: ["sign"] }), true),
  p256Case("key_ops []", () => jwkOf(pairs.p256.publicKey, { key_ops: [] }), true),
  p256Case("key_ops [verify]", () => jwkOf(pairs.p256.publicKey, { key_ops: ["verify"] })),
  p256Case("ext not a boolean", () => jwkOf(pairs.p256.publicKey, { ext: "yes" }), true),
  p256Case("use sig", () => jwkOf(pairs.p256.publicKey, { use: "sig" })),
];

const source = (jwk: JWK): JwtAuthoritySource => ({
  getJwtAuthority: (td) => (td.equals(TrustDomain.fromString("example.org")) ? jwk : undefined),
});
const goodClaims = { sub: "spiffe://example.org/workload", aud: "svc", exp: nowSec + 300, iat: nowSec, jti: "j" };

/** How the validator named jose's errors when it called jwtVerify. */
function joseReason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "jwtsvid: token has expired";
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === "missing") return `jwtsvid: token has no ${err.claim}`;
    return err.claim === "aud" ? "jwtsvid: audience mismatch" : `jwtsvid: ${err.claim} claim is invalid`;
  }
  return "jwtsvid: token could not be verified";
}

/** jose's verdict, with the same options the validator gave jwtVerify, then the same reading of the result. */
async function viaJose(token: string, jwk: JWK, alg: string): Promise<string> {
  let verified;
  try {
    verified = await jwtVerify(token, await importJWK({ ...jwk }, alg), {
      algorithms: [alg],
      audience,
      currentDate: now,
      requiredClaims: ["sub", "aud", "exp"],
    });
  } catch (err) {
    return joseReason(err);
  }
  try {
    readJwtSvid(verified.protectedHeader as Record<string, unknown>, verified.payload);
    return "accepted";
  } catch (err) {
    return (err as Error).message;
  }
}

async function viaValidator(token: string, jwk: JWK): Promise<string> {
  try {
    await parseAndValidateJwtSvid(token, source(jwk), { audience, now });
    return "accepted";
  } catch (err) {
    return (err as Error).message;
  }
}

async function assertSameVerdict(token: string, jwk: JWK, alg: string, expected?: string): Promise<void> {
  const [jose, ours] = [await viaJose(token, jwk, alg), await viaValidator(token, jwk)];
  assert.equal(ours, jose, `token ${token}`);
  if (expected !== undefined) assert.equal(ours, expected);
}

const tokenOf = (alg: string, signer: Signer, claims: Record<string, unknown> = goodClaims) =>
  forge({ alg, kid: "k", typ: "JWT" }, claims, signer);

describe("parseAndValidateJwtSvid agrees with jose's jwtVerify", () => {
  for (const key of keys) {
    for (const alg of key.algs) {
      it(`on a ${alg} token signed for ${key.name}`, async () => {
        const expected = key.refused ? "jwtsvid: token could not be verified" : "accepted";
        await assertSameVerdict(tokenOf(alg, signerFor(alg, key.signWith)), key.jwk(), alg, expected);
      });
    }
  }

  const es256 = signerFor("ES256", pairs.p256.privateKey);
  const valid = tokenOf("ES256", es256);
  const [h, p, s] = valid.split(".") as [string, string, string];
  const signatures: { name: string; token: string; alg?: string; jwk?: JWK; expected: string }[] = [
    { name: "a valid token", token: valid, expected: "accepted" },
    {
      name: "a tampered payload",
      token: `${h}.${b64({ ...goodClaims, sub: "spiffe://example.org/admin" })}.${s}`,
      expected: "jwtsvid: token could not be verified",
    },
    { name: "a tampered header", token: `${b64({ alg: "ES256", kid: "k" })}.${p}.${s}`, expected: "jwtsvid: token could not be verified" },
    {
      name: "another key's signature",
      token: tokenOf("ES256", signerFor("ES256", pairs.stranger.privateKey)),
      expected: "jwtsvid: token could not be verified",
    },
    {
      name: "a DER signature",
      token: tokenOf("ES256", (i) => sign("sha256", i, pairs.p256.privateKey)),
      expected: "jwtsvid: token could not be verified",
    },
    { name: "an empty signature", token: `${h}.${p}.`, expected: "jwtsvid: token could not be verified" },
    { name: "a signature one character short", token: valid.slice(0, -1), expected: "jwtsvid: token could not be verified" },
    { name: "a signature with a character more", token: `${valid}A`, expected: "jwtsvid: token could not be verified" },
    {
      name: "a 64-byte zero signature",
      token: `${h}.${p}.${Buffer.alloc(64).toString("base64url")}`,
      expected: "jwtsvid: token could not be verified",
    },
    {
      name: "a P-384 signature (4n characters) with a character more",
      token: `${tokenOf("ES384", signerFor("ES384", pairs.p384.privateKey))}A`,
      alg: "ES384",
      jwk: jwkOf(pairs.p384.publicKey),
      expected: "jwtsvid: token could not be verified",
    },
    {
      name: "an RS256 signature checked as PS256",
      token: forge({ alg: "PS256", kid: "k" }, goodClaims, signerFor("RS256", pairs.rsa.privateKey)),
      alg: "PS256",
      jwk: jwkOf(pairs.rsa.publicKey),
      expected: "jwtsvid: token could not be verified",
    },
    {
      name: "a PS256 signature with a 64-byte salt",
      token: forge({ alg: "PS256", kid: "k" }, goodClaims, (i) =>
        sign("sha256", i, { key: pairs.rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }),
      ),
      alg: "PS256",
      jwk: jwkOf(pairs.rsa.publicKey),
      expected: "jwtsvid: token could not be verified",
    },
  ];
  for (const { name, token, alg, jwk, expected } of signatures) {
    it(`on ${name}`, async () => {
      await assertSameVerdict(token, jwk ?? jwkOf(pairs.p256.publicKey), alg ?? "ES256", expected);
    });
  }

  const claimSets: { name: string; claims: Record<string, unknown>; expected: string }[] = [
    { name: "aud a list holding the second audience", claims: { aud: ["x", "other-svc"] }, expected: "accepted" },
    { name: "a wrong aud", claims: { aud: "svc2" }, expected: "jwtsvid: audience mismatch" },
    { name: "aud null", claims: { aud: null }, expected: "jwtsvid: audience mismatch" },
    { name: "aud an object", claims: { aud: { svc: true } }, expected: "jwtsvid: audience mismatch" },
    { name: "aud a list with a number", claims: { aud: ["svc", 1] }, expected: "jwtsvid: aud must be a string or an array of strings" },
    { name: "no aud and no exp", claims: { aud: undefined, exp: undefined }, expected: "jwtsvid: token has no aud" },
    { name: "an expired token", claims: { exp: nowSec - 1 }, expected: "jwtsvid: token has expired" },
    { name: "exp this second", claims: { exp: nowSec }, expected: "jwtsvid: token has expired" },
    { name: "exp a fraction past this second", claims: { exp: nowSec + 0.5 }, expected: "accepted" },
    { name: "exp null", claims: { exp: null }, expected: "jwtsvid: exp claim is invalid" },
    { name: "exp a string", claims: { exp: "9999999999" }, expected: "jwtsvid: exp claim is invalid" },
    { name: "nbf in the future", claims: { nbf: nowSec + 1 }, expected: "jwtsvid: nbf claim is invalid" },
    { name: "nbf this second", claims: { nbf: nowSec }, expected: "accepted" },
    { name: "nbf a string", claims: { nbf: "0" }, expected: "jwtsvid: nbf claim is invalid" },
    { name: "iat a string", claims: { iat: "0" }, expected: "jwtsvid: iat claim is invalid" },
    { name: "iat in the future", claims: { iat: nowSec + 3600 }, expected: "accepted" },
    { name: "an expired token with a wrong aud", claims: { exp: nowSec - 1, aud: "x" }, expected: "jwtsvid: audience mismatch" },
  ];
  for (const { name, claims, expected } of claimSets) {
    it(`on ${name}`, async () => {
      const token = tokenOf(
        "ES256",
        es256,
        Object.fromEntries(Object.entries({ ...goodClaims, ...claims }).filter(([, v]) => v !== undefined)),
      );
      await assertSameVerdict(token, jwkOf(pairs.p256.publicKey), "ES256", expected);
    });
  }

  it("on exp written as 1e400 (Infinity once parsed)", async () => {
    const input = `${b64({ alg: "ES256", kid: "k" })}.${b64('{"sub":"spiffe://example.org/w","aud":"svc","exp":1e400}')}`;
    await assertSameVerdict(
      `${input}.${es256(Buffer.from(input)).toString("base64url")}`,
      jwkOf(pairs.p256.publicKey),
      "ES256",
      "jwtsvid: exp must be a number",
    );
  });

  it("on 300 random changes of one signature character, and of the signature's length", async () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const verdicts = new Set<string>();
    for (const [alg, signWith, jwk] of [
      ["ES256", pairs.p256.privateKey, jwkOf(pairs.p256.publicKey)],
      ["ES384", pairs.p384.privateKey, jwkOf(pairs.p384.publicKey)],
      ["PS256", pairs.rsa.privateKey, jwkOf(pairs.rsa.publicKey)],
    ] as const) {
      const base = tokenOf(alg, signerFor(alg, signWith));
      const cut = base.lastIndexOf(".") + 1;
      for (let i = 0; i < 100; i++) {
        const signature = base.slice(cut).split("");
        const at = random(signature.length + 1);
        if (i % 10 === 0) signature.splice(at, random(2), ...(random(2) ? [alphabet[random(64)]!] : []));
        else signature[Math.min(at, signature.length - 1)] = alphabet[random(64)]!;
        const token = base.slice(0, cut) + signature.join("");
        const [jose, ours] = [await viaJose(token, jwk, alg), await viaValidator(token, jwk)];
        assert.equal(ours, jose, `token ${token}`);
        verdicts.add(ours);
      }
    }
    // The changes hit both outcomes: unused low bits of the last character leave the signature as it was.
    assert.deepEqual([...verdicts].sort(), ["accepted", "jwtsvid: token could not be verified"]);
  });

  it("on 300 random claim sets", async () => {
    const values = [
      undefined,
      null,
      0,
      -1,
      1.5,
      nowSec - 1,
      nowSec,
      nowSec + 1,
      nowSec + 300,
      "svc",
      "x",
      ["svc"],
      ["x"],
      [],
      [1],
      {},
      true,
    ];
    let seed = 11;
    const pick = () => values[((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % values.length)];
    const jwk = jwkOf(pairs.p256.publicKey);
    const verdicts = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const claims = { sub: "spiffe://example.org/w", aud: pick(), exp: pick(), nbf: pick(), iat: pick() };
      const token = tokenOf("ES256", es256, Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined)));
      const [jose, ours] = [await viaJose(token, jwk, "ES256"), await viaValidator(token, jwk)];
      assert.equal(ours, jose, `claims ${JSON.stringify(claims)}`);
      verdicts.add(ours);
    }
    assert.ok(verdicts.size >= 6, `only ${[...verdicts].join(", ")}`);
  });
});
