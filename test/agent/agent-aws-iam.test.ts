import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AgentConfigError, parseAgentConfig } from "../../agent/config/index.js";
import { createAgentLogger } from "../../agent/logger.js";
import { runOneshot } from "../../agent/run-agent.js";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { createBot } from "#tessera/issuer";
import { MOTO_ACCOUNT, startStsEmulator, type StsEmulator } from "../support/sts-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

const TD = "example.org";
const lines: string[] = [];
const logger = createAgentLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });
const AWS_VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] as const;

describe("the agent joining with aws_iam", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  let sts: StsEmulator;
  const saved = Object.fromEntries(AWS_VARIABLES.map((name) => [name, process.env[name]]));

  before(async () => {
    tmp = await makeTempDir("agent-aws-iam");
    sts = await startStsEmulator();
    dev = await startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: 0,
      trustDomain: TD,
      env: { TESSERA_LOG_LEVEL: "ERROR", TESSERA_STS_ENDPOINT: sts.endpoint },
    });
    await createBot(
      dev.runtime.admin,
      {
        name: "runner",
        allowedSpiffeIds: [`spiffe://${TD}/aws/{{account}}/{{role}}/{{session_name}}`],
        joinRules: [{ method: "aws_iam", claims: { account: MOTO_ACCOUNT, role: "ci-runner" } }],
      },
      "test",
    );
    // The agent signs with the SDK's default credential chain: here, the role session in the environment.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: sts.ciRunner.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sts.ciRunner.secretAccessKey,
      AWS_SESSION_TOKEN: sts.ciRunner.sessionToken,
    });
    delete process.env.AWS_PROFILE;
  });
  after(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await dev?.stop();
    await sts?.stop();
    await tmp?.remove();
  });

  it("oneshot joins with a challenge signed by the default credential chain and writes an SVID from the bot's template", async () => {
    const out = join(tmp.path, "out");
    const config = parseAgentConfig(
      `version: v1
issuer: ${dev.url}
trust_domain: ${TD}
onboarding: { join_method: aws_iam, bot_name: runner, sts_endpoint: "${sts.endpoint}" }
services:
  - { type: workload-identity-x509, spiffe_id: spiffe://${TD}/aws/${MOTO_ACCOUNT}/ci-runner/i-0abc123, destination: ${out} }
`,
    );
    await runOneshot({ config, logger }, 20_000);
    const cert = new X509Certificate(readFileSync(join(out, "svid.pem")));
    assert.ok(cert.subjectAltName?.includes(`spiffe://${TD}/aws/${MOTO_ACCOUNT}/ci-runner/i-0abc123`));
    const logged = lines.join("\n");
    assert.ok(
      !logged.includes(sts.ciRunner.secretAccessKey) && !logged.includes(sts.ciRunner.sessionToken as string),
      "no AWS secret is logged",
    );
  });

  it("reads aws_iam onboarding and refuses what does not belong to it", () => {
    const parse = (onboarding: string) =>
      parseAgentConfig(
        `version: v1\nissuer: http://127.0.0.1:1\ntrust_domain: ${TD}\nonboarding: ${onboarding}\nservices:\n  - { type: workload-identity-x509, spiffe_id: spiffe://${TD}/x, destination: /tmp/x }\n`,
      );
    assert.deepEqual(parse("{ join_method: aws_iam, bot_name: runner, sts_region: eu-west-1 }").onboarding, {
      joinMethod: "aws_iam",
      botName: "runner",
      stsRegion: "eu-west-1",
    });
    for (const bad of [
      "{ join_method: aws_iam }",
      "{ join_method: aws_iam, bot_name: runner, token_file: /x }",
      "{ join_method: aws_iam, bot_name: runner, sts_region: Europe }",
      "{ join_method: aws_iam, bot_name: runner, sts_endpoint: 'http://u@127.0.0.1:1' }",
      "{ join_method: oidc, bot_name: ci, token_file: /x, sts_region: eu-west-1 }",
    ]) {
      assert.throws(() => parse(bad), AgentConfigError, bad);
    }
  });
});
