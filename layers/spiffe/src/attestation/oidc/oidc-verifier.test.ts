import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { JWTPayload } from "jose";
import { FixedClock } from "../../clock.js";
import type { JoinRule } from "../../store/types.js";
import { KeySetCache } from "../jwt/key-set-cache.js";
import { LocalIssuer } from "../test/local-issuer.js";
import { memoryReplay, rejectsWithCode } from "../test/memory-replay.js";
import { OIDC_AUDIENCE, githubClaims, githubRule } from "../test/oidc-fixture.js";
import { OidcVerifier } from "./oidc-verifier.js";

const policy = { allowHttpLoopback: true };

describe("OidcVerifier", () => {
  let issuer: LocalIssuer;
  let clock: FixedClock;
  let verifier: OidcVerifier;
  let rules: JoinRule[];
  const attest = (token: string, replay = memoryReplay(), with_ = rules) => verifier.attest({ token }, with_, { clock, replay });

  before(async () => {
    issuer = await LocalIssuer.start();
  });
  after(() => issuer.close());
  const fresh = async () => {
    clock = new FixedClock(Date.now());
    verifier = new OidcVerifier({ policy, cache: new KeySetCache(policy, clock) });
    rules = [await verifier.validateRule(githubRule(issuer.url))];
    issuer.discoveryIssuer = issuer.url;
    issuer.cacheControl = "max-age=300";
    issuer.jwksFetches = 0;
  };

  it("refuses every token when the discovery document names another issuer, recording nothing", async () => {
    await fresh();
    issuer.discoveryIssuer = "https://accounts.example.com";
    const replay = memoryReplay();
    await rejectsWithCode(attest(await issuer.sign(githubClaims()), replay), "ERR_JOIN_KEYS_UNAVAILABLE");
    assert.equal(replay.keys.size, 0);
    assert.equal(issuer.jwksFetches, 0);
  });

  it("fetches the JWKS once per interval however many unknown kids arrive", async () => {
    await fresh();
    await attest(await issuer.sign(githubClaims()));
    assert.equal(issuer.jwksFetches, 1);
    for (let i = 0; i < 20; i++)
      await rejectsWithCode(
        attest(await issuer.sign(githubClaims(), "RS256", { unpublished: true, kid: `made-up-${i}` })),
        "ERR_JOIN_PROOF_INVALID",
      );
    assert.equal(issuer.jwksFetches, 1, "no refetch within 30 s of the first fetch");
    clock.advance(31_000);
    await rejectsWithCode(attest(await issuer.sign(githubClaims(), "RS256", { unpublished: true })), "ERR_JOIN_PROOF_INVALID");
    await rejectsWithCode(attest(await issuer.sign(githubClaims(), "RS256", { unpublished: true })), "ERR_JOIN_PROOF_INVALID");
    assert.equal(issuer.jwksFetches, 2);
  });

  it("caches the JWKS for its max-age, bounded to an hour, and at least 30 s under no-store", async () => {
    await fresh();
    issuer.cacheControl = "public, max-age=86400";
    const at = () => {
      const now = Math.floor(clock.now().getTime() / 1000);
      return githubClaims({ iat: now, exp: now + 600 });
    };
    await attest(await issuer.sign(at()));
    clock.advance(3_599_000);
    await attest(await issuer.sign(at()));
    assert.equal(issuer.jwksFetches, 1);
    clock.advance(2_000);
    await attest(await issuer.sign(at()));
    assert.equal(issuer.jwksFetches, 2);
    await fresh();
    issuer.cacheControl = "no-store";
    for (let i = 0; i < 5; i++) await attest(await issuer.sign(githubClaims()));
    assert.equal(issuer.jwksFetches, 1);
  });

  it("accepts a token with no jti once, keyed by its hash", async () => {
    await fresh();
    const replay = memoryReplay();
    const token = await issuer.sign(githubClaims({ jti: undefined }));
    await attest(token, replay);
    assert.match([...replay.keys][0] as string, /\/sha256:[0-9a-f]{64}$/);
    await rejectsWithCode(attest(token, replay), "ERR_REPLAY");
  });

  it("verifies a Kubernetes service-account token against a static JWKS, with no fetch", async () => {
    await fresh();
    const k8sIssuer = "https://kubernetes.default.svc.cluster.local";
    const rule = await verifier.validateRule({
      method: "oidc",
      preset: "kubernetes",
      issuer: k8sIssuer,
      audience: OIDC_AUDIENCE,
      jwks: issuer.jwks(),
      claims: { namespace: "payments", service_account: "api-*" },
    });
    const claims: JWTPayload = {
      iss: k8sIssuer,
      aud: [OIDC_AUDIENCE],
      sub: "system:serviceaccount:payments:api-v2",
      exp: Math.floor(Date.now() / 1000) + 600,
      "kubernetes.io": { namespace: "payments", serviceaccount: { name: "api-v2", uid: "u" }, pod: { name: "api-v2-abc", uid: "p" } },
    };
    const { attributes } = await attest(await issuer.sign(claims, "ES256"), memoryReplay(), [rule]);
    assert.deepEqual([attributes.namespace, attributes.service_account, attributes.pod], ["payments", "api-v2", "api-v2-abc"]);
    await rejectsWithCode(
      attest(
        await issuer.sign({ ...claims, "kubernetes.io": { namespace: "default", serviceaccount: { name: "api-v2" } } }),
        memoryReplay(),
        [rule],
      ),
      "ERR_JOIN_RULE_MISMATCH",
    );
    assert.equal(issuer.jwksFetches, 0);
  });

  it("refuses an issuer's URL other than exactly the rule's (a trailing slash differs)", async () => {
    await fresh();
    const saved = issuer.issuer;
    issuer.issuer = `${issuer.url}/`;
    try {
      await rejectsWithCode(attest(await issuer.sign(githubClaims())), "ERR_JOIN_PROOF_INVALID");
    } finally {
      issuer.issuer = saved;
    }
  });
});
