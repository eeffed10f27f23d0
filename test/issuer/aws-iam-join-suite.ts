import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAwsIamProof } from "#tessera/aws-workload";
import { tamper, unsignedChallengeProof } from "../support/aws-iam-fixture.js";
import { TRUST_DOMAIN, call, expectRefusal, makeCsr, type Answer, type IssuerHarness } from "../support/issuer-harness.js";
import { MOTO_ACCOUNT, startStsEmulator, type StsEmulator } from "../support/sts-emulator.js";
import { startSwitchableProxy, type SwitchableProxy } from "../support/switchable-proxy.js";
import type { StartIssuerWith } from "./platform-join-suite.js";

/**
 * `aws_iam` joins over HTTP on one configuration: a bot created through the admin API, challenges
 * from `POST /v1/join/challenge`, requests signed by the AWS SDK's signer and checked by moto's STS
 * (signature checks on) behind a proxy that can go down, SVIDs from a template over the caller's
 * account and role, and each refusal with its status, code and an unchanged store.
 */
export function runAwsIamJoinSuite(name: string, start: StartIssuerWith): void {
  describe(`aws_iam joins over HTTP: ${name}`, () => {
    let h: IssuerHarness;
    let sts: StsEmulator;
    let proxy: SwitchableProxy;
    const admin = (method: string, path: string, body?: unknown) =>
      call(h.url, method, path, { admin: true, ...(body !== undefined ? { body } : {}) });
    const challenge = async () => {
      const res = await call(h.url, "POST", "/v1/join/challenge");
      assert.equal(res.status, 200, res.text);
      return res.json.challenge as string;
    };
    const sign = async (credentials = sts.ciRunner) =>
      createAwsIamProof({ challenge: await challenge(), endpoint: proxy.endpoint, credentials });
    const join = (token: string, bot = "runner") =>
      call(h.url, "POST", "/v1/join", { body: { join_method: "aws_iam", bot_name: bot, token } });
    const refuses = (request: () => Promise<Answer>, status: number, code: string) =>
      expectRefusal(h.runtime.store, request, { status, code, audited: "join_refused" });

    before(async () => {
      sts = await startStsEmulator();
      proxy = await startSwitchableProxy(sts.endpoint);
      h = await start({ TESSERA_STS_ENDPOINT: proxy.endpoint });
      const bot = await admin("POST", "/v1/admin/bots", {
        name: "runner",
        allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/aws/{{account}}/{{role}}`, `spiffe://${TRUST_DOMAIN}/arn/{{arn}}`],
        join_rules: [{ method: "aws_iam", claims: { account: MOTO_ACCOUNT, arn: `arn:aws:iam::${MOTO_ACCOUNT}:role/ci-runner` } }],
      });
      assert.equal(bot.status, 201, bot.text);
    });
    after(async () => {
      await h?.close();
      await proxy?.close();
      await sts?.stop();
    });

    it("hands out single-use challenges that expire within minutes", async () => {
      const res = await call(h.url, "POST", "/v1/join/challenge");
      assert.equal(res.status, 200, res.text);
      assert.match(res.json.challenge as string, /^[A-Za-z0-9_-]{43}$/);
      const ttl = Date.parse(res.json.expires_at as string) - h.clock.now().getTime();
      assert.ok(ttl > 0 && ttl <= 300_000, `ttl ${ttl}`);
      assert.notEqual((await call(h.url, "POST", "/v1/join/challenge")).json.challenge, res.json.challenge);
    });

    it("joins as the role and gets an SVID from a template over its account and role, never over its ARN", async () => {
      const res = await join(await sign());
      assert.equal(res.status, 200, res.text);
      const svid = async (spiffeId: string) =>
        call(h.url, "POST", "/v1/svids/x509", {
          bearer: res.json.credential as string,
          body: { csr: (await makeCsr()).csr, spiffe_id: spiffeId },
        });
      assert.equal((await svid(`spiffe://${TRUST_DOMAIN}/aws/${MOTO_ACCOUNT}/ci-runner`)).status, 200);
      assert.equal((await svid(`spiffe://${TRUST_DOMAIN}/aws/${MOTO_ACCOUNT}/other-role`)).status, 403);
      // An ARN holds `:` and `/`: it is never one path segment, so `{{arn}}` matches nothing.
      assert.equal((await svid(`spiffe://${TRUST_DOMAIN}/arn/ci-runner`)).status, 403);
      const shown = await admin("GET", "/v1/admin/bots/runner");
      const instance = (shown.json.instances as { id: string; join_method: string }[]).find((i) => i.id === res.json.instance_id);
      assert.equal(instance?.join_method, "aws_iam");
      const audit = await admin("GET", "/v1/admin/audit?bot=runner&type=join");
      assert.ok(
        audit.text.includes(`arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/ci-runner/i-0abc123`),
        "the join's audit record names the caller's ARN",
      );
    });

    it("refuses a replayed, unknown, unsigned or swapped challenge, an altered body, a look-alike host and a forged signature, writing nothing", async () => {
      const used = await sign();
      assert.equal((await join(used)).status, 200);
      await refuses(() => join(used), 401, "ERR_REPLAY");
      await refuses(
        async () => join(await createAwsIamProof({ challenge: "x".repeat(43), endpoint: proxy.endpoint, credentials: sts.ciRunner })),
        401,
        "ERR_JOIN_CHALLENGE_INVALID",
      );
      await refuses(
        async () => join(await unsignedChallengeProof({ ...sts, endpoint: proxy.endpoint }, await challenge(), sts.ciRunner)),
        401,
        "ERR_JOIN_PROOF_INVALID",
      );
      await refuses(
        async () => join(tamper(await sign(), (r) => void (r.body = "Action=GetCallerIdentity&Version=2011-06-15&A=1"))),
        401,
        "ERR_JOIN_PROOF_INVALID",
      );
      await refuses(
        async () => join(tamper(await sign(), (r) => void (r.url = "https://sts.amazonaws.com.evil.example/"))),
        401,
        "ERR_JOIN_PROOF_INVALID",
      );
      await refuses(
        async () =>
          join(
            tamper(
              await sign(),
              (r) => void (r.headers.authorization = (r.headers.authorization as string).replace(/.$/, (c) => (c === "0" ? "1" : "0"))),
            ),
          ),
        401,
        "ERR_JOIN_PROOF_INVALID",
      );
      const other = await challenge();
      await refuses(
        async () => join(tamper(await sign(), (r) => void (r.headers["x-tessera-challenge"] = other))),
        401,
        "ERR_JOIN_PROOF_INVALID",
      );
    });

    it("refuses the wrong role and the wrong account with 403, and an unknown bot alike", async () => {
      await refuses(async () => join(await sign(sts.otherRole)), 403, "ERR_JOIN_RULE_MISMATCH");
      await refuses(async () => join(await sign(sts.user)), 403, "ERR_JOIN_RULE_MISMATCH");
      await refuses(async () => join(await sign(), "nobody"), 403, "ERR_JOIN_METHOD_NOT_ALLOWED");
    });

    it("answers 503 ERR_STS_UNAVAILABLE with Retry-After while STS is down, and the challenge still works after", async () => {
      const token = await sign();
      proxy.up = false;
      try {
        // Not the caller's fault: no refusal record, nothing written.
        await expectRefusal(h.runtime.store, () => join(token), { status: 503, code: "ERR_STS_UNAVAILABLE" });
        const res = await join(token);
        assert.equal(res.headers.get("retry-after"), "5");
      } finally {
        proxy.up = true;
      }
      assert.equal((await join(token)).status, 200);
    });

    it("refuses aws_iam rules without an account, and templates naming what aws_iam cannot fill", async () => {
      const bot =
        (rule: Record<string, unknown>, allowed = `spiffe://${TRUST_DOMAIN}/x`) =>
        () =>
          admin("POST", "/v1/admin/bots", { name: "bad", allowed_spiffe_ids: [allowed], join_rules: [rule] });
      await expectRefusal(h.runtime.store, bot({ method: "aws_iam", claims: { role: "ci-runner" } }), {
        status: 400,
        code: "ERR_POLICY_INVALID",
      });
      await expectRefusal(h.runtime.store, bot({ method: "aws_iam", claims: { account: "*" } }), {
        status: 400,
        code: "ERR_POLICY_INVALID",
      });
      await expectRefusal(
        h.runtime.store,
        bot({ method: "aws_iam", claims: { account: MOTO_ACCOUNT } }, `spiffe://${TRUST_DOMAIN}/{{project_id}}`),
        { status: 400, code: "ERR_POLICY_INVALID" },
      );
    });
  });
}
