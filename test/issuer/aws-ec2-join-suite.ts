import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join as joinPath } from "node:path";
import { after, before, describe, it } from "node:test";
import { EC2_ACCOUNT, EC2_REGION, type FakeAwsSigner, identityDocument, OpensslWorkdir } from "#tessera/test-support";
import { TRUST_DOMAIN, call, expectRefusal, makeCsr, type Answer, type IssuerHarness } from "../support/issuer-harness.js";
import type { StartIssuerWith } from "./platform-join-suite.js";

/**
 * `aws_ec2` joins over HTTP on one configuration: a bot created through the admin API, EC2
 * documents signed by openssl with a test certificate configured for us-west-2 through
 * TESSERA_AWS_EC2_CERTIFICATES_FILE, SVIDs from templates over the document's attributes,
 * renewal, trust on first use under racing joins, and every refusal with an unchanged store.
 */
export function runAwsEc2JoinSuite(name: string, start: StartIssuerWith): void {
  describe(`aws_ec2 joins over HTTP: ${name}`, () => {
    let h: IssuerHarness;
    let work: OpensslWorkdir;
    let aws: FakeAwsSigner;
    const admin = (method: string, path: string, body?: unknown) =>
      call(h.url, method, path, { admin: true, ...(body !== undefined ? { body } : {}) });
    const join = (body: Record<string, unknown>) => call(h.url, "POST", "/v1/join", { body });
    const joinEc2 = (token: string, document?: string, bot = "fleet") =>
      join({ join_method: "aws_ec2", bot_name: bot, token, ...(document ? { document } : {}) });
    const doc = (overrides: Record<string, unknown> = {}, age = 60) => identityDocument(overrides, age, h.clock.now().getTime());
    const refusesUnchanged = (request: () => Promise<Answer>, status: number, code: string, audited?: "join_refused") =>
      expectRefusal(h.runtime.store, request, { status, code, ...(audited ? { audited } : {}) });

    before(async () => {
      work = new OpensslWorkdir();
      aws = work.newSigner(EC2_REGION);
      const certificates = joinPath(work.dir, "aws-certificates.json");
      writeFileSync(certificates, JSON.stringify({ [EC2_REGION]: aws.certPem }));
      h = await start({ TESSERA_AWS_EC2_CERTIFICATES_FILE: certificates });
      const fleet = await admin("POST", "/v1/admin/bots", {
        name: "fleet",
        allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/aws/{{account}}/{{region}}/{{instance_id}}`],
        join_rules: [{ method: "aws_ec2", claims: { account: EC2_ACCOUNT, region: "us-*" }, max_join_age: "10m" }],
      });
      assert.equal(fleet.status, 201, fleet.text);
    });
    after(async () => {
      await h?.close();
      work?.remove();
    });

    it("joins with an IMDS document and signature, gets an SVID from a template, and renews", async () => {
      const text = doc({ instanceId: "i-0aaaabbbbccccdddd" });
      const res = await joinEc2(work.sign(text, aws, { stream: true }), text);
      assert.equal(res.status, 200, res.text);
      const csr = (await makeCsr()).csr;
      const ok = await call(h.url, "POST", "/v1/svids/x509", {
        bearer: res.json.credential as string,
        body: { csr, spiffe_id: `spiffe://${TRUST_DOMAIN}/aws/${EC2_ACCOUNT}/${EC2_REGION}/i-0aaaabbbbccccdddd` },
      });
      assert.equal(ok.status, 200, ok.text);
      const shown = await admin("GET", "/v1/admin/bots/fleet");
      const instance = (shown.json.instances as { id: string; join_method: string }[]).find((i) => i.id === res.json.instance_id);
      assert.equal(instance?.join_method, "aws_ec2");
      const renewed = await call(h.url, "POST", "/v1/renew", { bearer: res.json.credential as string });
      assert.equal(renewed.status, 200, renewed.text);
      assert.equal(renewed.json.generation, 2);
    });

    it("joins a launch once: a second join is refused with ERR_REPLAY and writes only its refusal", async () => {
      const text = doc({ instanceId: "i-0eeeeffff00001111" });
      assert.equal((await joinEc2(work.sign(text, aws), text)).status, 200);
      await refusesUnchanged(() => joinEc2(work.sign(text, aws), text), 401, "ERR_REPLAY", "join_refused");
    });

    it("lets exactly one of racing joins of a launch win", async () => {
      const text = doc({ instanceId: "i-0123412341234abcd" });
      const answers = await Promise.all(Array.from({ length: 4 }, () => joinEc2(work.sign(text, aws), text)));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 401, 401, 401]);
      assert.ok(answers.filter((a) => a.status === 401).every((a) => (a.json.error as { code: string }).code === "ERR_REPLAY"));
    });

    it("refuses forged, stale, misdirected and malformed proofs with their codes, writing nothing but the refusal", async () => {
      const stranger = work.newSigner("stranger");
      const signedFor = doc({ accountId: "210987654321" });
      await refusesUnchanged(() => joinEc2(work.sign(doc({}, 660), aws)), 401, "ERR_JOIN_PROOF_INVALID", "join_refused");
      await refusesUnchanged(() => joinEc2(work.sign(doc(), stranger)), 401, "ERR_JOIN_PROOF_INVALID", "join_refused");
      await refusesUnchanged(() => joinEc2(work.sign(signedFor, aws), doc()), 401, "ERR_JOIN_PROOF_INVALID", "join_refused");
      await refusesUnchanged(() => joinEc2(work.sign(signedFor, aws)), 403, "ERR_JOIN_RULE_MISMATCH", "join_refused");
      await refusesUnchanged(
        () => joinEc2(work.sign(doc({ region: "eu-west-1", availabilityZone: "eu-west-1a" }), aws)),
        401,
        "ERR_JOIN_PROOF_INVALID",
        "join_refused",
      );
      await refusesUnchanged(() => joinEc2(work.sign(doc({ region: "xx-nowhere-1" }), aws)), 401, "ERR_JOIN_PROOF_INVALID", "join_refused");
      await refusesUnchanged(() => joinEc2("MIAGCSqGSIb3DQEHAqCAMIACAQEx"), 401, "ERR_JOIN_PROOF_INVALID", "join_refused");
      await refusesUnchanged(
        () => join({ join_method: "aws_ec2", bot_name: "fleet", token: 42 }),
        401,
        "ERR_JOIN_PROOF_INVALID",
        "join_refused",
      );
    });

    it("refuses unsafe aws_ec2 rules and templates no aws_ec2 attribute fills, writing nothing", async () => {
      const bot =
        (rule: Record<string, unknown>, allowed = `spiffe://${TRUST_DOMAIN}/x`) =>
        () =>
          admin("POST", "/v1/admin/bots", { name: "bad", allowed_spiffe_ids: [allowed], join_rules: [rule] });
      await refusesUnchanged(bot({ method: "aws_ec2", claims: { region: EC2_REGION } }), 400, "ERR_POLICY_INVALID");
      await refusesUnchanged(bot({ method: "aws_ec2", claims: { account: "*" } }), 400, "ERR_POLICY_INVALID");
      await refusesUnchanged(bot({ method: "aws_ec2", claims: { account: EC2_ACCOUNT }, max_join_age: "2d" }), 400, "ERR_POLICY_INVALID");
      await refusesUnchanged(
        bot({ method: "aws_ec2", claims: { account: EC2_ACCOUNT } }, `spiffe://${TRUST_DOMAIN}/{{repository}}`),
        400,
        "ERR_POLICY_INVALID",
      );
    });

    it("joins in bounded time (10 aws_ec2 joins)", async () => {
      const proofs = Array.from({ length: 10 }, () => {
        const text = doc();
        return { token: work.sign(text, aws, { stream: true }), text };
      });
      const started = performance.now();
      for (const { token, text } of proofs) assert.equal((await joinEc2(token, text)).status, 200);
      const perJoin = (performance.now() - started) / proofs.length;
      console.log(`# ${name}: aws_ec2 join over HTTP: ${perJoin.toFixed(1)} ms per join`);
      assert.ok(perJoin < 1000);
    });
  });
}
