import assert from "node:assert/strict";
import { X509Certificate, createPublicKey } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { createLocalJWKSet, jwtVerify } from "jose";
import { gceClaims, GCP_AUDIENCE, githubClaims, LocalIssuer, OIDC_AUDIENCE, startGoogle } from "#tessera/test-support";
import { parseCertificates, parseSpiffeBundle, TrustDomain, verifyX509Svid } from "#tessera/core";
import { fetchJwtSvidWithProof, fetchX509SvidWithProof, IssuerApiError } from "#tessera/contract";
import type { AuditEvent } from "#tessera/issuer";
import {
  TRUST_DOMAIN,
  call,
  catchUpWithRealTime,
  expectRefusal,
  makeCsr,
  type Answer,
  type IssuerHarness,
} from "../support/issuer-harness.js";
import type { StartIssuerWith } from "./platform-join-suite.js";

const GH_APP = `spiffe://${TRUST_DOMAIN}/gh/acme/app`;

/**
 * SVIDs with no agent, over HTTP on one configuration: a platform proof in the SVID request's
 * `join` instead of a bot credential, judged by the same rules as a join, one round trip, no bot
 * instance; and every attack refused with its code, the store unchanged and the proof unspent.
 */
export function runAgentlessSvidSuite(name: string, start: StartIssuerWith): void {
  describe(`SVIDs with a platform proof, no agent: ${name}`, () => {
    let h: IssuerHarness;
    let issuer: LocalIssuer;
    let google: LocalIssuer;
    const admin = (method: string, path: string, body?: unknown) =>
      call(h.url, method, path, { admin: true, ...(body !== undefined ? { body } : {}) });
    const oidcJoin = (token: string, bot = "ci") => ({ join_method: "oidc", bot_name: bot, token });
    const x509 = async (join: unknown, spiffeId = GH_APP, extra: Record<string, unknown> = {}) =>
      call(h.url, "POST", "/v1/svids/x509", { body: { csr: (await makeCsr()).csr, spiffe_id: spiffeId, join, ...extra } });
    const instances = async () => (await h.runtime.store.listBotInstances()).length;
    const refuses = (request: () => Promise<Answer>, status: number, code: string, audited: "svid_refused" | null = "svid_refused") =>
      expectRefusal(h.runtime.store, request, { status, code, ...(audited ? { audited } : {}) });

    before(async () => {
      issuer = await LocalIssuer.start();
      google = await startGoogle();
      h = await start({
        TESSERA_JOIN_ALLOW_HTTP_LOOPBACK: "true",
        TESSERA_GCP_KEYS_URL: `${google.url}/jwks`,
        TESSERA_JOIN_AUDIENCE: GCP_AUDIENCE,
      });
      const oidcRule = (repositoryId: string) => [
        { method: "oidc", preset: "github", issuer: issuer.url, audience: OIDC_AUDIENCE, claims: { repository_id: repositoryId } },
      ];
      const bots = [
        {
          name: "ci",
          allowed_spiffe_ids: [
            `spiffe://${TRUST_DOMAIN}/gh/{{repository_owner}}/{{repository_name}}`,
            `spiffe://${TRUST_DOMAIN}/i/{{instance}}`,
          ],
          allowed_dns_names: ["app.acme.internal"],
          join_rules: oidcRule("101"),
          max_svid_ttl: 600,
        },
        {
          name: "other",
          allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/gh/{{repository_owner}}/{{repository_name}}`],
          join_rules: oidcRule("999"),
        },
        {
          name: "frozen",
          allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/gh/{{repository_owner}}/{{repository_name}}`],
          join_rules: oidcRule("101"),
        },
        {
          name: "vm",
          allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/gcp/{{project_id}}/{{instance_name}}`],
          join_rules: [{ method: "gcp", claims: { project_id: "acme-prod" } }],
        },
      ];
      for (const bot of bots) assert.equal((await admin("POST", "/v1/admin/bots", bot)).status, 201);
      assert.equal((await admin("POST", "/v1/admin/locks", { target: "bot", id: "frozen", reason: "test" })).status, 200);
    });
    // Tokens are signed with the real time: keep the issuer's frozen clock up with it on a slow emulator.
    beforeEach(() => catchUpWithRealTime(h));
    after(async () => {
      await h?.close();
      await issuer?.close();
      await google?.close();
    });

    it("issues an X.509-SVID for a GitHub Actions token in one round trip, the key made by the client, no bot instance", async () => {
      const before = await instances();
      const svid = await fetchX509SvidWithProof({
        issuer: h.url,
        proof: { method: "oidc", botName: "ci", token: await issuer.sign(githubClaims()) },
        spiffeId: GH_APP,
        dnsNames: ["app.acme.internal"],
        ttlSeconds: 3600,
      });
      const leaf = new X509Certificate(svid.certificates[0] as string);
      assert.equal(leaf.subjectAltName, `URI:${GH_APP}, DNS:app.acme.internal`);
      assert.ok(leaf.publicKey.equals(createPublicKey(svid.privateKey)), "the certificate is for the key the client made");
      const bundle = parseSpiffeBundle((await call(h.url, "GET", "/v1/bundle")).text, TrustDomain.fromString(TRUST_DOMAIN));
      verifyX509Svid(parseCertificates(svid.certificates.join("")), bundle, { now: h.clock.now() });
      assert.equal(
        svid.expiresAt.getTime(),
        Math.floor(h.clock.now().getTime() / 1000) * 1000 + 600_000,
        "the bot's max_svid_ttl caps the asked TTL",
      );
      assert.equal(await instances(), before);
      const [record] = (await h.runtime.store.listAudit({ botName: "ci", type: "x509_svid", limit: 1 })) as AuditEvent[];
      assert.equal(record?.serialOrJti, svid.serialNumber);
      assert.equal(record?.joinMethod, "oidc");
      assert.equal(record?.instanceId, undefined);
      assert.equal(record?.detail?.agentless, "true");
      assert.equal(record?.detail?.subject, "repo:acme/app:ref:refs/heads/main");
      assert.match(record?.detail?.proof_hash_prefix ?? "", /^[0-9a-f]{12}$/);
    });

    it("issues a JWT-SVID for a GCE identity token", async () => {
      const svid = await fetchJwtSvidWithProof({
        issuer: h.url,
        proof: { method: "gcp", botName: "vm", token: await google.sign(gceClaims()) },
        spiffeId: `spiffe://${TRUST_DOMAIN}/gcp/acme-prod/web-1`,
        audience: ["db"],
      });
      const bundle = JSON.parse((await call(h.url, "GET", "/v1/bundle")).text) as { keys: { use: string }[] };
      const jwks = createLocalJWKSet({
        keys: bundle.keys.filter((k) => k.use === "jwt-svid").map(({ use: _use, ...key }) => key),
      } as never);
      const { payload } = await jwtVerify(svid.token, jwks, { audience: "db", currentDate: h.clock.now() });
      assert.equal(payload.sub, `spiffe://${TRUST_DOMAIN}/gcp/acme-prod/web-1`);
    });

    it("refuses a replayed proof, whether it got an SVID or a bot credential first", async () => {
      const token = await issuer.sign(githubClaims());
      assert.equal((await x509(oidcJoin(token))).status, 200);
      await refuses(() => x509(oidcJoin(token)), 401, "ERR_REPLAY");
      const joined = await issuer.sign(githubClaims());
      assert.equal((await call(h.url, "POST", "/v1/join", { body: oidcJoin(joined) })).status, 200);
      await refuses(() => x509(oidcJoin(joined)), 401, "ERR_REPLAY");
      const jwt = await issuer.sign(githubClaims());
      assert.equal(
        (await call(h.url, "POST", "/v1/svids/jwt", { body: { spiffe_id: GH_APP, audience: "db", join: oidcJoin(jwt) } })).status,
        200,
      );
      await refuses(
        () => call(h.url, "POST", "/v1/svids/jwt", { body: { spiffe_id: GH_APP, audience: "db", join: oidcJoin(jwt) } }),
        401,
        "ERR_REPLAY",
      );
    });

    it("refuses a SPIFFE ID or DNS name the bot may not have without spending the proof", async () => {
      const token = await issuer.sign(githubClaims());
      await refuses(() => x509(oidcJoin(token), `spiffe://${TRUST_DOMAIN}/gh/acme/other`), 403, "ERR_SPIFFEID_NOT_ALLOWED");
      await refuses(() => x509(oidcJoin(token), GH_APP, { dns_names: ["evil.example"] }), 403, "ERR_DNS_NAME_NOT_ALLOWED");
      await refuses(() => x509(oidcJoin(token), GH_APP, { csr: "not a csr" }), 400, "ERR_CSR_INVALID");
      await refuses(
        () => call(h.url, "POST", "/v1/svids/jwt", { body: { spiffe_id: GH_APP, audience: [], join: oidcJoin(token) } }),
        400,
        "ERR_JWTSVID_AUDIENCE_INVALID",
      );
      // No instance, so {{instance}} fills nothing.
      await refuses(() => x509(oidcJoin(token), `spiffe://${TRUST_DOMAIN}/i/x`), 403, "ERR_SPIFFEID_NOT_ALLOWED");
      const ok = await x509(oidcJoin(token));
      assert.equal(ok.status, 200, `the refusals left the proof unspent: ${ok.text}`);
    });

    it("refuses a proof for another bot, a locked bot, and a bot without the method, writing nothing", async () => {
      const token = await issuer.sign(githubClaims());
      await refuses(() => x509(oidcJoin(token, "other")), 403, "ERR_JOIN_RULE_MISMATCH");
      await refuses(() => x509(oidcJoin(token, "frozen")), 403, "ERR_BOT_LOCKED");
      await refuses(() => x509(oidcJoin(token, "vm")), 403, "ERR_JOIN_METHOD_NOT_ALLOWED");
      await refuses(() => x509(oidcJoin(token, "nobody")), 403, "ERR_JOIN_METHOD_NOT_ALLOWED");
      assert.equal((await x509(oidcJoin(token))).status, 200, "still unspent for the bot it is for");
    });

    it("refuses forged proofs, a join token, malformed joins, and a credential beside a proof", async () => {
      const refusal = await refuses(() => x509(oidcJoin(issuer.unsigned(githubClaims()))), 401, "ERR_JOIN_PROOF_INVALID");
      assert.deepEqual(
        [refusal?.botName, refusal?.joinMethod, refusal?.detail?.agentless, refusal?.detail?.asked_bot_name],
        ["ci", "oidc", "true", "ci"],
      );
      assert.doesNotMatch(JSON.stringify(refusal), /eyJ[\w-]{8,}/, "the proof itself is not in the record");
      await refuses(() => x509(oidcJoin(issuer.hmacWithPublicKey(githubClaims()))), 401, "ERR_JOIN_PROOF_INVALID");
      await refuses(async () => x509(oidcJoin(await issuer.sign(githubClaims({ aud: "someone-else" })))), 401, "ERR_JOIN_PROOF_INVALID");
      await refuses(() => x509({ join_method: "token", token: "tjt1.x" }), 400, "ERR_REQUEST_INVALID");
      await refuses(() => x509("oidc"), 400, "ERR_REQUEST_INVALID");
      await refuses(async () => x509({ join_method: "oidc", token: await issuer.sign(githubClaims()) }), 400, "ERR_REQUEST_INVALID");
      const both = async () =>
        call(h.url, "POST", "/v1/svids/x509", {
          bearer: "tbc1.x.1.y",
          body: { csr: (await makeCsr()).csr, spiffe_id: GH_APP, join: oidcJoin(await issuer.sign(githubClaims())) },
        });
      await refuses(both, 400, "ERR_REQUEST_INVALID");
      await refuses(
        async () => call(h.url, "POST", "/v1/svids/x509", { body: { csr: (await makeCsr()).csr, spiffe_id: GH_APP } }),
        401,
        "ERR_CREDENTIAL_INVALID",
        null,
      );
    });

    it("answers a refusal to the client as an IssuerApiError with the issuer's code", async () => {
      const proof = { method: "oidc", botName: "other", token: await issuer.sign(githubClaims()) };
      await assert.rejects(
        fetchX509SvidWithProof({ issuer: h.url, proof, spiffeId: GH_APP }),
        (err: unknown) => err instanceof IssuerApiError && err.status === 403 && err.code === "ERR_JOIN_RULE_MISMATCH",
      );
    });
  });
}
