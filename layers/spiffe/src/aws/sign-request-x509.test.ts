import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { opensslPki, type OpensslPki } from "../../../../test/support/openssl.js";
import { judgeCreateSession, type RawRequest } from "../../../../test/support/roles-anywhere-endpoint.js";
import { makeTempDir } from "../../../../test/support/temp-dir.js";
import { signRequestX509 } from "./sign-request-x509.js";

const ANCHOR = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/6f0d1c2e-0000-4000-8000-000000000001";
const PROFILE = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f0d1c2e-0000-4000-8000-000000000002";
const ROLE = "arn:aws:iam::123456789012:role/tessera-web";
const der = (pem: string) => new Uint8Array(new X509Certificate(pem).raw);

async function signedRequest(pki: OpensslPki, options: { now?: Date; chain?: boolean } = {}): Promise<RawRequest> {
  const query = new URLSearchParams({ profileArn: PROFILE, roleArn: ROLE, trustAnchorArn: ANCHOR }).toString();
  const url = `https://rolesanywhere.eu-west-1.amazonaws.com/sessions?${query}`;
  const body = JSON.stringify({ durationSeconds: 3600 });
  const material = {
    certificates: options.chain === false ? [der(pki.leafPem)] : [der(pki.leafPem), der(pki.intermediatePem)],
    privateKey: createPrivateKey(pki.leafKeyPem),
  };
  const headers = await signRequestX509({ method: "POST", url, headers: { "content-type": "application/json" }, body }, material, {
    region: "eu-west-1",
    ...(options.now ? { now: options.now } : {}),
  });
  return { method: "POST", target: `/sessions?${query}`, headers, body };
}

describe("signRequestX509", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let ec: OpensslPki;
  let rsa: OpensslPki;
  before(async () => {
    tmp = await makeTempDir("sign-x509");
    ec = opensslPki(tmp.path, { keyType: "ec", uri: "spiffe://example.org/web", prefix: "ec-" });
    rsa = opensslPki(tmp.path, { keyType: "rsa", uri: "spiffe://example.org/web", prefix: "rsa-" });
  });
  after(async () => tmp?.remove());
  const judge = (pki: OpensslPki, now?: number) => ({
    trustAnchorArn: ANCHOR,
    region: "eu-west-1",
    anchors: () => [new X509Certificate(pki.rootPem)],
    ...(now ? { now: () => now } : {}),
  });

  for (const [name, pki, algorithm] of [
    ["an EC P-256 key", () => ec, "AWS4-X509-ECDSA-SHA256"],
    ["an RSA key", () => rsa, "AWS4-X509-RSA-SHA256"],
  ] as const) {
    it(`signs with ${name} as ${algorithm}, naming the decimal serial, accepted by the independent judge`, async () => {
      const req = await signedRequest(pki());
      assert.match(
        req.headers.authorization as string,
        new RegExp(
          `^${algorithm} Credential=123456789012345678901234567890/\\d{8}/eu-west-1/rolesanywhere/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-x509;x-amz-x509-chain, Signature=[0-9a-f]+$`,
        ),
      );
      assert.equal(req.headers["x-amz-x509"], Buffer.from(der(pki().leafPem)).toString("base64"));
      assert.equal(req.headers["x-amz-x509-chain"], Buffer.from(der(pki().intermediatePem)).toString("base64"));
      const verdict = judgeCreateSession(req, judge(pki()));
      assert.ok(verdict.ok, verdict.ok ? "" : verdict.reason);
    });
  }

  it("sends no chain header for a leaf alone, and the judge then finds no path to the root", async () => {
    const req = await signedRequest(ec, { chain: false });
    assert.equal(req.headers["x-amz-x509-chain"], undefined);
    assert.doesNotMatch(req.headers.authorization as string, /x-amz-x509-chain/);
    assert.deepEqual(judgeCreateSession(req, judge(ec)), { ok: false, reason: "certificate does not chain to the trust anchor" });
  });

  it("uses the given signing time, and a certificate outside its validity is refused even when the date is fresh", async () => {
    const later = new Date(Date.parse(new X509Certificate(ec.leafPem).validTo) + 3_600_000);
    const req = await signedRequest(ec, { now: later });
    assert.equal(req.headers["x-amz-date"], later.toISOString().replace(/[-:]|\.\d{3}/g, ""));
    assert.deepEqual(judgeCreateSession(req, judge(ec)), { ok: false, reason: "x-amz-date outside the allowed skew" });
    assert.deepEqual(judgeCreateSession(req, judge(ec, later.getTime())), {
      ok: false,
      reason: "leaf certificate not valid now (or a CA)",
    });
  });

  it("refuses a key type Roles Anywhere cannot verify (caller misuse is a TypeError)", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    await assert.rejects(
      signRequestX509(
        { method: "POST", url: "https://x.test/sessions", headers: {} },
        { certificates: [der(ec.leafPem)], privateKey },
        { region: "eu-west-1" },
      ),
      TypeError,
    );
  });
});
