import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAgentConfig } from "../../agent/config/index.js";
import { fetchInstanceIdentity } from "../../agent/instance-identity.js";
import { createAgentLogger } from "../../agent/logger.js";
import { runOneshot } from "../../agent/run-agent.js";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { EC2_ACCOUNT, EC2_REGION, type FakeAwsSigner, identityDocument, OpensslWorkdir } from "#tessera/test-support";
import { createBot } from "#tessera/issuer";
import { runTessera } from "../support/cli-process.js";
import { startImdsServer, type ImdsServer } from "../support/imds-server.js";
import { makeTempDir } from "../support/temp-dir.js";

const TD = "example.org";
const lines: string[] = [];
const logger = createAgentLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });

describe("the agent joining with its EC2 instance identity (IMDSv2)", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  let work: OpensslWorkdir;
  let aws: FakeAwsSigner;
  let imds: ImdsServer;
  const config = (out: string, endpoint = imds.url) =>
    parseAgentConfig(`version: v1
issuer: ${dev.url}
trust_domain: ${TD}
onboarding: { join_method: aws_ec2, bot_name: fleet, metadata_endpoint: "${endpoint}" }
services:
  - { type: workload-identity-x509, spiffe_id: "spiffe://${TD}/aws/${EC2_ACCOUNT}/i-0abc0abc0abc0abc0", destination: ${out} }
`);

  before(async () => {
    tmp = await makeTempDir("agent-aws-ec2");
    work = new OpensslWorkdir();
    aws = work.newSigner(EC2_REGION);
    const certificates = join(tmp.path, "aws-certificates.json");
    writeFileSync(certificates, JSON.stringify({ [EC2_REGION]: aws.certPem }));
    dev = await startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: 0,
      trustDomain: TD,
      env: { TESSERA_LOG_LEVEL: "ERROR", TESSERA_AWS_EC2_CERTIFICATES_FILE: certificates },
    });
    await createBot(
      dev.runtime.admin,
      {
        name: "fleet",
        allowedSpiffeIds: [`spiffe://${TD}/aws/{{account}}/{{instance_id}}`],
        joinRules: [{ method: "aws_ec2", claims: { account: EC2_ACCOUNT } }],
      },
      "test",
    );
    const document = identityDocument({ instanceId: "i-0abc0abc0abc0abc0" });
    imds = await startImdsServer({ document, signature: work.sign(document, aws, { stream: true }) });
  });
  after(async () => {
    await dev?.stop();
    await imds?.close();
    work?.remove();
    await tmp?.remove();
  });

  it("reads IMDSv2 in order: a session token by PUT, then the document and signature with it", async () => {
    imds.requests.length = 0;
    const identity = await fetchInstanceIdentity(`${imds.url}/`);
    assert.equal(identity.document, imds.identity.document);
    assert.equal(imds.requests[0], "PUT /latest/api/token");
    assert.deepEqual(imds.requests.slice(1).sort(), [
      "GET /latest/dynamic/instance-identity/document",
      "GET /latest/dynamic/instance-identity/rsa2048",
    ]);
  });

  it("oneshot joins with the instance identity and writes an SVID from the bot's template; the launch cannot join twice", async () => {
    const out = join(tmp.path, "out");
    await runOneshot({ config: config(out), logger }, 20_000);
    const svid = new X509Certificate(readFileSync(join(out, "svid.pem")));
    assert.ok(svid.subjectAltName?.includes(`spiffe://${TD}/aws/${EC2_ACCOUNT}/i-0abc0abc0abc0abc0`));
    await assert.rejects(runOneshot({ config: config(join(tmp.path, "again")), logger }, 20_000), /ERR_REPLAY/);
  });

  it("refuses a configuration that mixes aws_ec2 with a token file or a bad endpoint", () => {
    const base = (onboarding: string) =>
      `version: v1\nissuer: http://127.0.0.1:1\ntrust_domain: ${TD}\nonboarding: ${onboarding}\nservices:\n  - { type: workload-identity-x509, spiffe_id: "spiffe://${TD}/x", destination: /tmp/x }\n`;
    assert.throws(() => parseAgentConfig(base("{ join_method: aws_ec2, bot_name: fleet, token_file: /t }")), /token_file/);
    assert.throws(
      () => parseAgentConfig(base('{ join_method: aws_ec2, bot_name: fleet, metadata_endpoint: "file:///etc" }')),
      /metadata_endpoint/,
    );
    assert.throws(() => parseAgentConfig(base("{ join_method: aws_ec2 }")), /bot_name/);
  });

  it("creates an aws_ec2 bot with `tessera bot create --join-method aws_ec2 --aws-account --aws-region`", async () => {
    const cli = (...args: string[]) => runTessera([...args, "--issuer", dev.url, "--data-dir", join(tmp.path, "issuer"), "--json"]);
    const created = await cli(
      "bot",
      "create",
      "fleet2",
      "--allow",
      `spiffe://${TD}/aws/{{account}}/{{region}}/{{instance_id}}`,
      "--join-method",
      "aws_ec2",
      "--aws-account",
      EC2_ACCOUNT,
      "--aws-region",
      "us-*",
      "--aws-region",
      "eu-west-1",
      "--max-join-age",
      "10m",
    );
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual((JSON.parse(created.stdout) as { join_rules: unknown }).join_rules, [
      { method: "aws_ec2", claims: { account: [EC2_ACCOUNT], region: ["us-*", "eu-west-1"] }, max_join_age: 600, allow_rejoin: false },
    ]);
    const refused = await cli(
      "bot",
      "create",
      "fleet3",
      "--allow",
      `spiffe://${TD}/x`,
      "--join-method",
      "aws_ec2",
      "--aws-account",
      "1234",
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /ERR_POLICY_INVALID/);
  });
});
