// aws_iam end to end as users run it: `tessera dev` (configured with an emulator's STS endpoint),
// `tessera bot create --join-method aws_iam --aws-account --aws-arn`, and `tessera agent start
// --oneshot` signing with the AWS credentials in its environment, checked by moto's STS.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runTessera, startDevProcess, type DevProcess } from "../support/cli-process.js";
import { MOTO_ACCOUNT, startStsEmulator, type StsEmulator } from "../support/sts-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

const TD = "example.org";
const ID = `spiffe://${TD}/aws/${MOTO_ACCOUNT}/ci-runner`;

describe("end to end: an aws_iam bot from the CLI, joined by the agent process", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dataDir: string;
  let dev: DevProcess;
  let sts: StsEmulator;

  before(async () => {
    tmp = await makeTempDir("aws-iam-e2e");
    dataDir = join(tmp.path, "data");
    sts = await startStsEmulator();
    process.env.TESSERA_STS_ENDPOINT = sts.endpoint;
    dev = await startDevProcess(dataDir);
  });
  after(async () => {
    delete process.env.TESSERA_STS_ENDPOINT;
    await dev?.stop();
    await sts?.stop();
    await tmp?.remove();
  });

  it("creates the bot with --aws-account / --aws-arn, and the agent joins as the role and writes its SVID", async () => {
    const created = await runTessera([
      "bot",
      "create",
      "runner",
      "--allow",
      `spiffe://${TD}/aws/{{account}}/{{role}}`,
      "--join-method",
      "aws_iam",
      "--aws-account",
      MOTO_ACCOUNT,
      "--aws-arn",
      `arn:aws:iam::${MOTO_ACCOUNT}:role/ci-*`,
      "--issuer",
      dev.url,
      "--data-dir",
      dataDir,
      "--json",
    ]);
    assert.equal(created.code, 0, created.stdout + created.stderr);
    const rules = (JSON.parse(created.stdout) as { join_rules: unknown[] }).join_rules;
    assert.deepEqual(rules, [{ method: "aws_iam", claims: { account: [MOTO_ACCOUNT], arn: [`arn:aws:iam::${MOTO_ACCOUNT}:role/ci-*`] } }]);
    const out = join(tmp.path, "out");
    const config = join(tmp.path, "agent.yaml");
    writeFileSync(
      config,
      `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: aws_iam, bot_name: runner, sts_endpoint: "${sts.endpoint}" }\n` +
        `services:\n  - { type: workload-identity-x509, spiffe_id: ${ID}, destination: ${out} }\n`,
    );
    const role = {
      AWS_ACCESS_KEY_ID: sts.ciRunner.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sts.ciRunner.secretAccessKey,
      AWS_SESSION_TOKEN: sts.ciRunner.sessionToken as string,
    };
    const agent = await runTessera(["agent", "start", "-c", config, "--oneshot", "--log-format", "json"], role);
    assert.equal(agent.code, 0, agent.stdout + agent.stderr);
    assert.ok(new X509Certificate(readFileSync(join(out, "svid.pem"))).subjectAltName?.includes(ID));
    const other = {
      AWS_ACCESS_KEY_ID: sts.otherRole.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sts.otherRole.secretAccessKey,
      AWS_SESSION_TOKEN: sts.otherRole.sessionToken as string,
    };
    const refused = await runTessera(["agent", "start", "-c", config, "--oneshot", "--log-format", "json"], other);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /ERR_JOIN_RULE_MISMATCH/);
  });

  it("tessera join aws_iam and tessera svid --join-method aws_iam sign with the credentials in the environment; another role is refused", async () => {
    const role = {
      AWS_ACCESS_KEY_ID: sts.ciRunner.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sts.ciRunner.secretAccessKey,
      AWS_SESSION_TOKEN: sts.ciRunner.sessionToken as string,
    };
    const target = ["--issuer", dev.url, "--data-dir", dataDir];
    const credential = join(tmp.path, "runner.credential");
    const joined = await runTessera(
      ["join", "aws_iam", "--bot", "runner", "--sts-endpoint", sts.endpoint, "--credential-file", credential, ...target, "--json"],
      role,
    );
    assert.equal(joined.code, 0, joined.stdout + joined.stderr);
    assert.equal((JSON.parse(joined.stdout) as { bot_name: string }).bot_name, "runner");
    const out = join(tmp.path, "agentless");
    const svid = await runTessera(
      [
        "svid",
        "x509",
        "--join-method",
        "aws_iam",
        "--bot",
        "runner",
        "--sts-endpoint",
        sts.endpoint,
        "--spiffe-id",
        ID,
        "--out",
        out,
        ...target,
      ],
      role,
    );
    assert.equal(svid.code, 0, svid.stdout + svid.stderr);
    assert.ok(new X509Certificate(readFileSync(join(out, "svid.pem"))).subjectAltName?.includes(ID));
    const other = {
      AWS_ACCESS_KEY_ID: sts.otherRole.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sts.otherRole.secretAccessKey,
      AWS_SESSION_TOKEN: sts.otherRole.sessionToken as string,
    };
    const refused = await runTessera(
      ["join", "aws_iam", "--bot", "runner", "--sts-endpoint", sts.endpoint, "--credential-file", credential, ...target],
      other,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /\(ERR_JOIN_RULE_MISMATCH\)$/m);
  });
});
