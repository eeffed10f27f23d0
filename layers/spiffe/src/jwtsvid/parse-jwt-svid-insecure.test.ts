import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { SignJWT } from "jose";
import { parseJwtSvidInsecure } from "./parse-jwt-svid-insecure.js";

const INVALID = "ERR_JWTSVID_INVALID";
const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const unsigned = (header: unknown, claims: unknown) => `${b64(header)}.${b64(claims)}.`;
const claims = { sub: "spiffe://example.org/w", aud: ["a", "b"], exp: 1_000, iat: 700, team: "payments" };

describe("parseJwtSvidInsecure", () => {
  it("decodes a signed token without any key, expired or not", async () => {
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "k1", typ: "JWT" }).sign(privateKey);
    const svid = parseJwtSvidInsecure(token);
    assert.equal(svid.spiffeId.toString(), "spiffe://example.org/w");
    assert.deepEqual(svid.audience, ["a", "b"]);
    assert.equal(svid.expiresAt.toISOString(), "1970-01-01T00:16:40.000Z");
    assert.deepEqual(svid.header, { alg: "ES256", kid: "k1", typ: "JWT" });
    assert.deepEqual(svid.claims, claims);
  });

  it("shows what validation would refuse: an unsigned token, alg none, extra headers", () => {
    const svid = parseJwtSvidInsecure(unsigned({ alg: "none", jku: "https://x" }, { ...claims, aud: "one" }));
    assert.deepEqual(svid.header, { alg: "none", jku: "https://x" });
    assert.deepEqual(svid.audience, ["one"]);
  });

  const refused: { name: string; token: string; message: RegExp }[] = [
    { name: "an empty string", token: "", message: /^jwtsvid: token is not a compact JWS$/ },
    { name: "two parts", token: `${b64({ alg: "ES256" })}.${b64(claims)}`, message: /^jwtsvid: token is not a compact JWS$/ },
    { name: "a header that is not JSON", token: `bm9wZQ.${b64(claims)}.`, message: /^jwtsvid: token is malformed$/ },
    { name: "an empty header", token: `.${b64(claims)}.`, message: /^jwtsvid: token is malformed$/ },
    { name: "characters outside base64url", token: `${b64({ alg: "ES256" })}.${b64(claims)}+.`, message: /^jwtsvid: token is malformed$/ },
    { name: "a header without alg", token: unsigned({ kid: "k" }, claims), message: /^jwtsvid: token has no alg$/ },
    { name: "no sub", token: unsigned({ alg: "ES256" }, { ...claims, sub: undefined }), message: /^jwtsvid: token has no sub$/ },
    {
      name: "a sub that is not a SPIFFE ID",
      token: unsigned({ alg: "ES256" }, { ...claims, sub: "https://example.org/w" }),
      message: /^jwtsvid: sub is not a valid SPIFFE ID$/,
    },
    { name: "no aud", token: unsigned({ alg: "ES256" }, { ...claims, aud: undefined }), message: /^jwtsvid: token has no aud$/ },
    { name: "an empty aud", token: unsigned({ alg: "ES256" }, { ...claims, aud: [] }), message: /^jwtsvid: aud is empty$/ },
    {
      name: "an aud with a number",
      token: unsigned({ alg: "ES256" }, { ...claims, aud: ["a", 1] }),
      message: /^jwtsvid: aud must be a string or an array of strings$/,
    },
    { name: "no exp", token: unsigned({ alg: "ES256" }, { ...claims, exp: undefined }), message: /^jwtsvid: token has no exp$/ },
    { name: "a string exp", token: unsigned({ alg: "ES256" }, { ...claims, exp: "1000" }), message: /^jwtsvid: exp must be a number$/ },
  ];
  for (const { name, token, message } of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseJwtSvidInsecure(token), { code: INVALID, message });
    });
  }

  it("refuses a token that is not a string with a TypeError", () => {
    assert.throws(() => parseJwtSvidInsecure(null as unknown as string), TypeError);
  });
});
