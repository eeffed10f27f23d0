import { randomUUID } from "node:crypto";
import type { JWTPayload } from "jose";
import { FixedClock } from "../../clock.js";
import type { JoinRule } from "../../store/types.js";
import { KeySetCache } from "../jwt/key-set-cache.js";
import { OidcVerifier } from "../oidc/oidc-verifier.js";
import type { VerifierFixture } from "./conformance.js";
import { LocalIssuer } from "./local-issuer.js";

export const OIDC_AUDIENCE = "tessera-test";

/** GitHub Actions-like claims for `issuer`, valid for ten minutes. */
export function githubClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: OIDC_AUDIENCE,
    sub: "repo:acme/app:ref:refs/heads/main",
    repository: "acme/app",
    repository_owner: "acme",
    repository_id: "101",
    ref: "refs/heads/main",
    workflow: "deploy",
    jti: randomUUID(),
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

/** A GitHub-preset rule trusting `issuer`, RS256 only. */
export function githubRule(
  issuer: string,
  claims: Record<string, unknown> = { repository: "acme/*", ref: ["refs/heads/main", "refs/tags/v*"] },
): JoinRule {
  return { method: "oidc", preset: "github", issuer, audience: OIDC_AUDIENCE, algorithms: ["RS256"], claims };
}

/** The `oidc` verifier's conformance fixture: a loopback issuer and a stranger issuer. */
export async function makeOidcFixture(): Promise<VerifierFixture> {
  const issuer = await LocalIssuer.start();
  const stranger = await LocalIssuer.start();
  const clock = new FixedClock(Date.now());
  const policy = { allowHttpLoopback: true };
  const now = Math.floor(Date.now() / 1000);
  return {
    clock,
    newVerifier: () => new OidcVerifier({ policy, cache: new KeySetCache(policy, clock) }),
    rules: [githubRule(issuer.url)],
    mismatchedRules: [
      githubRule(issuer.url, { repository: "acme/other" }),
      githubRule(issuer.url, { repository: "acme/app", ref: "refs/heads/release" }),
    ],
    invalidRules: [
      { name: "no audience", rule: { method: "oidc", issuer: issuer.url, claims: { sub: "x" } } },
      { name: "plain http off loopback", rule: { ...githubRule(issuer.url), issuer: "http://issuer.example.com" } },
      { name: "issuer with a query", rule: { ...githubRule(issuer.url), issuer: `${issuer.url}/?x=1` } },
      { name: "github preset without a repository rule", rule: githubRule(issuer.url, { ref: "refs/heads/main" }) },
      { name: "no claim rule at all", rule: { method: "oidc", issuer: issuer.url, audience: OIDC_AUDIENCE } },
      { name: "a rule of only *", rule: githubRule(issuer.url, { repository: "*" }) },
      { name: "HS256 allowed", rule: { ...githubRule(issuer.url), algorithms: ["HS256"] } },
      { name: "none allowed", rule: { ...githubRule(issuer.url), algorithms: ["none"] } },
      {
        name: "a private key in jwks",
        rule: { ...githubRule(issuer.url), jwks: { keys: [{ kty: "RSA", n: "AQAB", e: "AQAB", d: "AQAB" }] } },
      },
      { name: "a symmetric key in jwks", rule: { ...githubRule(issuer.url), jwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] } } },
      { name: "an unknown field", rule: { ...githubRule(issuer.url), audiences: ["x"] } },
      { name: "an unknown preset", rule: { ...githubRule(issuer.url), preset: "azure" } },
    ],
    validProof: () => issuer.sign(githubClaims()),
    expectedAttributes: {
      sub: "repo:acme/app:ref:refs/heads/main",
      repository: "acme/app",
      repository_owner: "acme",
      repository_name: "app",
      ref: "refs/heads/main",
    },
    refusedProofs: async () => {
      const valid = await issuer.sign(githubClaims());
      const [h, p, s] = valid.split(".");
      const forged = Buffer.from(JSON.stringify({ ...githubClaims(), repository: "acme/app2" })).toString("base64url");
      return [
        { name: "another audience", proof: await issuer.sign(githubClaims({ aud: "someone-else" })), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "expired", proof: await issuer.sign(githubClaims({ iat: now - 900, exp: now - 120 })), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "not yet valid", proof: await issuer.sign(githubClaims({ nbf: now + 600 })), code: "ERR_JOIN_PROOF_INVALID" },
        {
          name: "issued in the future",
          proof: await issuer.sign(githubClaims({ iat: now + 600, exp: now + 1200 })),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        { name: "no exp", proof: await issuer.sign(githubClaims({ exp: undefined })), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "alg none", proof: issuer.unsigned(githubClaims()), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "HS256 keyed with the public key", proof: issuer.hmacWithPublicKey(githubClaims()), code: "ERR_JOIN_PROOF_INVALID" },
        {
          name: "ES256 by a published key when the rule allows RS256 only",
          proof: await issuer.sign(githubClaims(), "ES256"),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        { name: "unknown kid", proof: await issuer.sign(githubClaims(), "RS256", { unpublished: true }), code: "ERR_JOIN_PROOF_INVALID" },
        {
          name: "published kid, unpublished key",
          proof: await issuer.sign(githubClaims(), "RS256", { unpublished: true, kid: issuer.jwks().keys[0]?.kid as string }),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        { name: "payload changed after signing", proof: `${h}.${forged}.${s}`, code: "ERR_JOIN_PROOF_INVALID" },
        { name: "signature cut", proof: `${h}.${p}.`, code: "ERR_JOIN_PROOF_INVALID" },
        { name: "an issuer the bot does not trust", proof: await stranger.sign(githubClaims()), code: "ERR_JOIN_PROOF_INVALID" },
      ];
    },
    close: async () => {
      await issuer.close();
      await stranger.close();
    },
  };
}
