// Every platform join method from the CLI, as users run it: a real `tessera dev` process, bots made
// with `tessera bot create`, then `tessera join <method>` (a bot credential) and `tessera svid
// x509|jwt --join-method <method>` (no agent, no credential), each X.509-SVID checked by openssl
// against the issuer's bundle. OIDC tokens come from a loopback issuer, GCE identity tokens from a
// metadata-server stand-in signing as Google, EC2 identities from an IMDSv2 stand-in (openssl PKCS#7).
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  EC2_ACCOUNT,
  EC2_REGION,
  type FakeAwsSigner,
  githubClaims,
  identityDocument,
  LocalIssuer,
  OIDC_AUDIENCE,
  OpensslWorkdir,
  startGoogle,
} from "#tessera/test-support";
import { IssuerClient } from "../../agent/issuer-client.js";
import { parseAndValidateJwtSvid, parseSpiffeBundle, TrustDomain } from "#tessera/core";
import { runTessera, startDevProcess, type CliRun, type DevProcess } from "../support/cli-process.js";
import { startGceMetadataServer, type GceMetadataServer } from "../support/gce-metadata-server.js";
import { startImdsServer, type ImdsServer } from "../support/imds-server.js";
import { opensslVerify } from "../support/openssl.js";
import { makeTempDir } from "../support/temp-dir.js";

const TD = "example.org";
const GH_ID = `spiffe://${TD}/gh/acme/app`;
const GCP_ID = `spiffe://${TD}/gcp/acme-prod/web-1`;

describe("end to end: tessera join <method> and tessera svid --join-method against tessera dev", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dataDir: string;
  let dev: DevProcess;
  let oidc: LocalIssuer;
  let google: LocalIssuer;
  let gce: GceMetadataServer;
  let work: OpensslWorkdir;
  let aws: FakeAwsSigner;
  let imds: ImdsServer;
  let caPem: string;
  const cli = (...args: string[]) => runTessera([...args, "--issuer", dev.url, "--data-dir", dataDir]);
  const ok = (run: CliRun, what: string) => assert.equal(run.code, 0, `${what}: ${run.stdout} ${run.stderr}`);
  const refused = (run: CliRun, code: string) => {
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, new RegExp(`\\(${code}\\)$`, "m"));
  };
  const tokenFile = async (name: string, claims = githubClaims()) => {
    const path = join(tmp.path, name);
    writeFileSync(path, `${await oidc.sign(claims)}\n`);
    return path;
  };
  /** The SVID written in `dir`, verified by openssl against the issuer's bundle; its URI SAN. */
  const verified = (dir: string) => {
    const leaf = readFileSync(join(dir, "svid.pem"), "utf8");
    assert.match(opensslVerify(tmp.path, caPem, leaf), /OK/);
    assert.equal(statSync(join(dir, "svid_key.pem")).mode & 0o777, 0o600);
    return new X509Certificate(leaf).subjectAltName;
  };

  before(async () => {
    tmp = await makeTempDir("cli-join-methods");
    dataDir = join(tmp.path, "data");
    oidc = await LocalIssuer.start();
    google = await startGoogle();
    gce = await startGceMetadataServer(google);
    work = new OpensslWorkdir();
    aws = work.newSigner(EC2_REGION);
    const certificates = join(tmp.path, "aws-certificates.json");
    writeFileSync(certificates, JSON.stringify({ [EC2_REGION]: aws.certPem }));
    const document = identityDocument({ instanceId: "i-0aaa0aaa0aaa0aaa0" });
    imds = await startImdsServer({ document, signature: work.sign(document, aws, { stream: true }) });
    const env = {
      TESSERA_JOIN_ALLOW_HTTP_LOOPBACK: "true",
      TESSERA_GCP_KEYS_URL: `${google.url}/jwks`,
      TESSERA_AWS_EC2_CERTIFICATES_FILE: certificates,
    };
    Object.assign(process.env, env);
    dev = await startDevProcess(dataDir);
    for (const key of Object.keys(env)) delete process.env[key];
    const bots = [
      [
        "ci",
        `spiffe://${TD}/gh/{{repository_owner}}/{{repository_name}}`,
        "--join-method",
        "oidc",
        "--oidc-preset",
        "github",
        "--oidc-issuer",
        oidc.url,
        "--oidc-audience",
        OIDC_AUDIENCE,
        "--claim",
        "repository=acme/app",
      ],
      ["vm", `spiffe://${TD}/gcp/{{project_id}}/{{instance_name}}`, "--join-method", "gcp", "--claim", "project_id=acme-prod"],
      ["fleet", `spiffe://${TD}/aws/{{account}}/{{instance_id}}`, "--join-method", "aws_ec2", "--aws-account", EC2_ACCOUNT],
    ];
    for (const [name, allow, ...rules] of bots)
      ok(await cli("bot", "create", name as string, "--allow", allow as string, ...rules), `bot create ${name}`);
    caPem = (await cli("bundle", "show", "--format", "pem")).stdout;
  });
  after(async () => {
    await dev?.stop();
    await Promise.all([oidc?.close(), google?.close(), gce?.close(), imds?.close()]);
    work?.remove();
    await tmp?.remove();
  });

  it("oidc: joins with a token file and gets an SVID with the credential; agent-less X.509 and JWT SVIDs; a reused token is refused", async () => {
    const credential = join(tmp.path, "ci.credential");
    const joined = await cli(
      "join",
      "oidc",
      "--bot",
      "ci",
      "--token-file",
      await tokenFile("gh-1"),
      "--credential-file",
      credential,
      "--json",
    );
    ok(joined, "join oidc");
    assert.equal((JSON.parse(joined.stdout) as { bot_name: string }).bot_name, "ci");
    assert.equal(statSync(credential).mode & 0o777, 0o600);
    ok(
      await cli("svid", "x509", "--credential-file", credential, "--spiffe-id", GH_ID, "--out", join(tmp.path, "ci-joined")),
      "svid x509 with the credential",
    );
    assert.equal(verified(join(tmp.path, "ci-joined")), `URI:${GH_ID}`);

    const once = await tokenFile("gh-2");
    ok(
      await cli(
        "svid",
        "x509",
        "--join-method",
        "oidc",
        "--bot",
        "ci",
        "--token-file",
        once,
        "--spiffe-id",
        GH_ID,
        "--out",
        join(tmp.path, "ci-agentless"),
      ),
      "agent-less svid x509",
    );
    assert.equal(verified(join(tmp.path, "ci-agentless")), `URI:${GH_ID}`);
    refused(
      await cli(
        "svid",
        "x509",
        "--join-method",
        "oidc",
        "--bot",
        "ci",
        "--token-file",
        once,
        "--spiffe-id",
        GH_ID,
        "--out",
        join(tmp.path, "ci-again"),
      ),
      "ERR_REPLAY",
    );

    const jwt = await cli(
      "svid",
      "jwt",
      "--join-method",
      "oidc",
      "--bot",
      "ci",
      "--token-file",
      await tokenFile("gh-3"),
      "--spiffe-id",
      GH_ID,
      "--audience",
      "db",
    );
    ok(jwt, "agent-less svid jwt");
    const bundle = parseSpiffeBundle(await new IssuerClient({ issuer: dev.url }).fetchBundle(), TrustDomain.fromString(TD));
    const svid = await parseAndValidateJwtSvid(jwt.stdout.trim(), bundle, { audience: ["db"] });
    assert.equal(svid.spiffeId.toString(), GH_ID);
    refused(
      await cli(
        "join",
        "oidc",
        "--bot",
        "ci",
        "--token-file",
        await tokenFile("gh-other", githubClaims({ repository: "acme/other" })),
        "--credential-file",
        credential,
      ),
      "ERR_JOIN_RULE_MISMATCH",
    );
  });

  it("gcp: joins and gets agent-less SVIDs with tokens from the GCE metadata server; a token for another audience is refused", async () => {
    gce.requests.length = 0;
    const credential = join(tmp.path, "vm.credential");
    ok(
      await cli(
        "join",
        "gcp",
        "--bot",
        "vm",
        "--metadata-endpoint",
        gce.url,
        "--token-audience",
        `spiffe://${TD}`,
        "--credential-file",
        credential,
      ),
      "join gcp",
    );
    ok(
      await cli("svid", "x509", "--credential-file", credential, "--spiffe-id", GCP_ID, "--out", join(tmp.path, "vm-joined")),
      "svid x509 with the credential",
    );
    assert.equal(verified(join(tmp.path, "vm-joined")), `URI:${GCP_ID}`);
    // Agent-less, the audience defaults to the trust domain of the SPIFFE ID asked for.
    ok(
      await cli(
        "svid",
        "x509",
        "--join-method",
        "gcp",
        "--bot",
        "vm",
        "--metadata-endpoint",
        gce.url,
        "--spiffe-id",
        GCP_ID,
        "--out",
        join(tmp.path, "vm-agentless"),
      ),
      "agent-less svid x509",
    );
    assert.equal(verified(join(tmp.path, "vm-agentless")), `URI:${GCP_ID}`);
    assert.ok(
      gce.requests.every((r) => r.includes("format=full")),
      gce.requests.join("\n"),
    );
    assert.ok(gce.requests.at(-1)?.includes(`audience=${encodeURIComponent(`spiffe://${TD}`)}`), gce.requests.join("\n"));
    refused(
      await cli(
        "svid",
        "x509",
        "--join-method",
        "gcp",
        "--bot",
        "vm",
        "--metadata-endpoint",
        gce.url,
        "--token-audience",
        "https://elsewhere.example",
        "--spiffe-id",
        GCP_ID,
        "--out",
        join(tmp.path, "vm-x"),
      ),
      "ERR_JOIN_PROOF_INVALID",
    );
    refused(
      await cli(
        "join",
        "gcp",
        "--bot",
        "vm",
        "--metadata-endpoint",
        gce.url,
        "--token-audience",
        "https://elsewhere.example",
        "--credential-file",
        credential,
      ),
      "ERR_JOIN_PROOF_INVALID",
    );
  });

  it("aws_ec2: joins once per launch from IMDSv2, and an agent-less SVID spends its launch's one join too", async () => {
    const credential = join(tmp.path, "fleet.credential");
    const id = (instance: string) => `spiffe://${TD}/aws/${EC2_ACCOUNT}/${instance}`;
    ok(await cli("join", "aws_ec2", "--bot", "fleet", "--metadata-endpoint", imds.url, "--credential-file", credential), "join aws_ec2");
    ok(
      await cli(
        "svid",
        "x509",
        "--credential-file",
        credential,
        "--spiffe-id",
        id("i-0aaa0aaa0aaa0aaa0"),
        "--out",
        join(tmp.path, "fleet-joined"),
      ),
      "svid x509 with the credential",
    );
    assert.equal(verified(join(tmp.path, "fleet-joined")), `URI:${id("i-0aaa0aaa0aaa0aaa0")}`);
    refused(await cli("join", "aws_ec2", "--bot", "fleet", "--metadata-endpoint", imds.url, "--credential-file", credential), "ERR_REPLAY");

    const document = identityDocument({ instanceId: "i-0bbb0bbb0bbb0bbb0" });
    imds.identity = { document, signature: work.sign(document, aws, { stream: true }) };
    const agentless = [
      "svid",
      "x509",
      "--join-method",
      "aws_ec2",
      "--bot",
      "fleet",
      "--metadata-endpoint",
      imds.url,
      "--spiffe-id",
      id("i-0bbb0bbb0bbb0bbb0"),
    ];
    ok(await cli(...agentless, "--out", join(tmp.path, "fleet-agentless")), "agent-less svid x509");
    assert.equal(verified(join(tmp.path, "fleet-agentless")), `URI:${id("i-0bbb0bbb0bbb0bbb0")}`);
    refused(await cli(...agentless, "--out", join(tmp.path, "fleet-again")), "ERR_REPLAY");
  });

  it("refuses, as usage errors (exit 2), a proof flag of another method, a missing proof, or --join-method beside a credential", async () => {
    const usage = async (args: string[], pattern: RegExp) => {
      const run = await cli(...args);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, pattern);
    };
    await usage(
      ["join", "aws_ec2", "--bot", "fleet", "--token-file", "/t", "--credential-file", "/c"],
      /--token-file is not for join method aws_ec2/,
    );
    await usage(["join", "oidc", "--bot", "ci", "--credential-file", "/c"], /needs --token-file/);
    await usage(["join", "gcp", "--bot", "vm", "--credential-file", "/c"], /--token-audience/);
    await usage(["join", "aws_iam", "--credential-file", "/c"], /needs --bot NAME/);
    await usage(
      ["svid", "jwt", "--join-method", "token", "--bot", "ci", "--spiffe-id", GH_ID, "--audience", "a"],
      /--join-method must be one of/,
    );
    await usage(
      [
        "svid",
        "jwt",
        "--join-method",
        "oidc",
        "--bot",
        "ci",
        "--token-file",
        "/t",
        "--credential-file",
        "/c",
        "--spiffe-id",
        GH_ID,
        "--audience",
        "a",
      ],
      /replaces --token/,
    );
    await usage(
      ["svid", "jwt", "--bot", "ci", "--credential-file", "/c", "--spiffe-id", GH_ID, "--audience", "a"],
      /--bot goes with --join-method/,
    );
    const unreachable = await cli(
      "join",
      "aws_ec2",
      "--bot",
      "fleet",
      "--metadata-endpoint",
      "http://127.0.0.1:1",
      "--credential-file",
      join(tmp.path, "none"),
      "--json",
    );
    assert.equal(unreachable.code, 1);
    assert.equal((JSON.parse(unreachable.stdout) as { error: { code: string } }).error.code, "ERR_JOIN_PROOF_UNAVAILABLE");
  });
});
