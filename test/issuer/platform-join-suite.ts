import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { gceClaims, GCP_AUDIENCE, githubClaims, LocalIssuer, OIDC_AUDIENCE, startGoogle } from "#tessera/test-support";
import type { AuditEventType } from "#tessera/issuer";
import {
  TRUST_DOMAIN,
  call,
  catchUpWithRealTime,
  expectRefusal,
  makeCsr,
  type Answer,
  type IssuerHarness,
} from "../support/issuer-harness.js";

/** Starts an issuer with the environment the platform joins need (loopback issuers, a loopback Google). */
export type StartIssuerWith = (env: Record<string, string>) => Promise<IssuerHarness>;

/**
 * Platform joins over HTTP on one configuration: `oidc` and `gcp` bots created through the admin
 * API, joined with tokens a loopback issuer signs, SVIDs from templates over their attributes, and
 * every refusal with its status, code and an unchanged store.
 */
export function runPlatformJoinSuite(name: string, start: StartIssuerWith): void {
  describe(`platform joins over HTTP: ${name}`, () => {
    let h: IssuerHarness;
    let issuer: LocalIssuer;
    let google: LocalIssuer;
    const admin = (method: string, path: string, body?: unknown) =>
      call(h.url, method, path, { admin: true, ...(body !== undefined ? { body } : {}) });
    const join = (body: Record<string, unknown>) => call(h.url, "POST", "/v1/join", { body });
    const joinOidc = async (token: string, bot = "ci") => join({ join_method: "oidc", bot_name: bot, token });
    const svid = async (credential: string, spiffeId: string) =>
      call(h.url, "POST", "/v1/svids/x509", { bearer: credential, body: { csr: (await makeCsr()).csr, spiffe_id: spiffeId } });
    /** A refusal that changes nothing but, for the issuer's use cases, writes its one refusal record. */
    const refusesUnchanged = async (request: () => Promise<Answer>, status: number, code: string, audited?: AuditEventType) => {
      const record = await expectRefusal(h.runtime.store, request, { status, code, ...(audited ? { audited } : {}) });
      // No JWT (the presented proof, a credential) in the record: its hash prefix only.
      assert.doesNotMatch(JSON.stringify(record ?? {}), /eyJ[\w-]{8,}|tbc1\./);
      return record;
    };

    before(async () => {
      issuer = await LocalIssuer.start();
      google = await startGoogle();
      h = await start({
        TESSERA_JOIN_ALLOW_HTTP_LOOPBACK: "true",
        TESSERA_GCP_KEYS_URL: `${google.url}/jwks`,
        TESSERA_JOIN_AUDIENCE: GCP_AUDIENCE,
      });
      const ci = await admin("POST", "/v1/admin/bots", {
        name: "ci",
        allowed_spiffe_ids: [
          `spiffe://${TRUST_DOMAIN}/gh/{{repository_owner}}/{{repository_name}}`,
          `spiffe://${TRUST_DOMAIN}/gh-raw/{{repository}}`,
        ],
        join_rules: [
          {
            method: "oidc",
            preset: "github",
            issuer: issuer.url,
            audience: OIDC_AUDIENCE,
            claims: { repository_id: "101", ref: "refs/heads/*" },
          },
        ],
      });
      assert.equal(ci.status, 201, ci.text);
      const vm = await admin("POST", "/v1/admin/bots", {
        name: "vm",
        allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/gcp/{{project_id}}/{{instance_name}}`],
        join_rules: [{ method: "gcp", claims: { project_id: "acme-prod", zone: "europe-west1-*" } }],
      });
      assert.equal(vm.status, 201, vm.text);
      assert.equal(
        (await admin("POST", "/v1/admin/bots", { name: "tokens-only", allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/t`] })).status,
        201,
      );
    });
    // Tokens are signed with the real time: keep the issuer's frozen clock up with it on a slow emulator.
    beforeEach(() => catchUpWithRealTime(h));
    after(async () => {
      await h?.close();
      await issuer?.close();
      await google?.close();
    });

    it("joins with a GitHub Actions token and gets an SVID from a template over its attributes", async () => {
      const res = await joinOidc(await issuer.sign(githubClaims()));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.bot_name, "ci");
      const ok = await svid(res.json.credential as string, `spiffe://${TRUST_DOMAIN}/gh/acme/app`);
      assert.equal(ok.status, 200, ok.text);
      const shown = await admin("GET", "/v1/admin/bots/ci");
      const instance = (shown.json.instances as { id: string; join_method: string }[]).find((i) => i.id === res.json.instance_id);
      assert.equal(instance?.join_method, "oidc");
      const audit = await admin("GET", "/v1/admin/audit?bot=ci&type=join");
      assert.ok(!audit.text.includes((await issuer.sign(githubClaims())).split(".")[2] as string));
    });

    it("never fills a template with a value that is not one path segment (`org/repo`, `..`)", async () => {
      const slash = await joinOidc(await issuer.sign(githubClaims()));
      await refusesUnchanged(
        () => svid(slash.json.credential as string, `spiffe://${TRUST_DOMAIN}/gh-raw/acme/app`),
        403,
        "ERR_SPIFFEID_NOT_ALLOWED",
        "svid_refused",
      );
      const dots = await joinOidc(await issuer.sign(githubClaims({ repository_owner: "..", repository: "../app" })));
      assert.equal(dots.status, 200, dots.text);
      await refusesUnchanged(
        () => svid(dots.json.credential as string, `spiffe://${TRUST_DOMAIN}/gh/app`),
        403,
        "ERR_SPIFFEID_NOT_ALLOWED",
        "svid_refused",
      );
      await refusesUnchanged(
        () => svid(dots.json.credential as string, `spiffe://${TRUST_DOMAIN}/gh/../app`),
        400,
        "ERR_SPIFFEID_INVALID",
        "svid_refused",
      );
    });

    it("refuses a reused token (only the replay record is written), and renewal: platform bots join again", async () => {
      const token = await issuer.sign(githubClaims());
      const first = await joinOidc(token);
      assert.equal(first.status, 200, first.text);
      await refusesUnchanged(() => joinOidc(token), 401, "ERR_REPLAY", "join_refused");
      await refusesUnchanged(
        () => call(h.url, "POST", "/v1/renew", { bearer: first.json.credential as string }),
        403,
        "ERR_JOIN_METHOD_NOT_ALLOWED",
        "renew_refused",
      );
    });

    it("refuses forged, misdirected and unmatched oidc tokens with their codes, writing nothing", async () => {
      const now = Math.floor(Date.now() / 1000);
      const stranger = await LocalIssuer.start();
      try {
        await refusesUnchanged(
          async () => joinOidc(await issuer.sign(githubClaims({ aud: "other" }))),
          401,
          "ERR_JOIN_PROOF_INVALID",
          "join_refused",
        );
        await refusesUnchanged(
          async () => joinOidc(await issuer.sign(githubClaims({ iat: now - 900, exp: now - 120 }))),
          401,
          "ERR_JOIN_PROOF_INVALID",
          "join_refused",
        );
        await refusesUnchanged(async () => joinOidc(issuer.unsigned(githubClaims())), 401, "ERR_JOIN_PROOF_INVALID", "join_refused");
        await refusesUnchanged(
          async () => joinOidc(issuer.hmacWithPublicKey(githubClaims())),
          401,
          "ERR_JOIN_PROOF_INVALID",
          "join_refused",
        );
        await refusesUnchanged(
          async () => joinOidc(await issuer.sign(githubClaims(), "RS256", { unpublished: true })),
          401,
          "ERR_JOIN_PROOF_INVALID",
          "join_refused",
        );
        await refusesUnchanged(async () => joinOidc(await stranger.sign(githubClaims())), 401, "ERR_JOIN_PROOF_INVALID", "join_refused");
        const mismatch = await refusesUnchanged(
          async () => joinOidc(await issuer.sign(githubClaims({ repository_id: "102" }))),
          403,
          "ERR_JOIN_RULE_MISMATCH",
          "join_refused",
        );
        assert.deepEqual([mismatch?.botName, mismatch?.joinMethod, mismatch?.detail?.asked_bot_name], ["ci", "oidc", "ci"]);
        assert.match(mismatch?.detail?.proof_hash_prefix ?? "", /^[0-9a-f]{12}$/);
        await refusesUnchanged(
          async () => joinOidc(await issuer.sign(githubClaims()), "tokens-only"),
          403,
          "ERR_JOIN_METHOD_NOT_ALLOWED",
          "join_refused",
        );
        const nobody = await refusesUnchanged(
          async () => joinOidc(await issuer.sign(githubClaims()), "nobody"),
          403,
          "ERR_JOIN_METHOD_NOT_ALLOWED",
          "join_refused",
        );
        // A name nobody holds is what was asked, not who asked: it stays out of the bot index.
        assert.deepEqual([nobody?.botName, nobody?.detail?.asked_bot_name], [undefined, "nobody"]);
        await refusesUnchanged(
          async () => join({ join_method: "oidc", token: await issuer.sign(githubClaims()) }),
          400,
          "ERR_REQUEST_INVALID",
          "join_refused",
        );
      } finally {
        await stranger.close();
      }
    });

    it("joins a GCE instance with its identity token and refuses one for another audience or project", async () => {
      const res = await join({ join_method: "gcp", bot_name: "vm", token: await google.sign(gceClaims()) });
      assert.equal(res.status, 200, res.text);
      assert.equal((await svid(res.json.credential as string, `spiffe://${TRUST_DOMAIN}/gcp/acme-prod/web-1`)).status, 200);
      await refusesUnchanged(
        async () => join({ join_method: "gcp", bot_name: "vm", token: await google.sign(gceClaims({ aud: "https://other" })) }),
        401,
        "ERR_JOIN_PROOF_INVALID",
        "join_refused",
      );
      await refusesUnchanged(
        async () => join({ join_method: "gcp", bot_name: "vm", token: await google.sign(gceClaims({}, { project_id: "acme-dev" })) }),
        403,
        "ERR_JOIN_RULE_MISMATCH",
        "join_refused",
      );
    });

    it("refuses to create a bot whose platform rules are unsafe, writing nothing", async () => {
      const bot = (rule: Record<string, unknown>) => () =>
        admin("POST", "/v1/admin/bots", { name: "bad", allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/x`], join_rules: [rule] });
      await refusesUnchanged(
        bot({ method: "oidc", preset: "github", audience: "a", claims: { ref: "refs/heads/main" } }),
        400,
        "ERR_POLICY_INVALID",
      );
      await refusesUnchanged(
        bot({ method: "oidc", issuer: "http://issuer.example.com", audience: "a", claims: { sub: "x" } }),
        400,
        "ERR_POLICY_INVALID",
      );
      await refusesUnchanged(bot({ method: "gcp", claims: { zone: "europe-west1-b" } }), 400, "ERR_POLICY_INVALID");
    });

    // Latency is measured by bench/join-latency.ts, never asserted here.
    it("joins 20 times in a row with warm keys, each token once", async () => {
      const tokens = await Promise.all(Array.from({ length: 20 }, () => issuer.sign(githubClaims())));
      for (const token of tokens) assert.equal((await joinOidc(token)).status, 200);
      for (const token of tokens.slice(0, 3)) assert.equal((await joinOidc(token)).status, 401);
    });
  });
}
