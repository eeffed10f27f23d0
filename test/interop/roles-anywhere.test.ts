// IAM Roles Anywhere, end to end on loopback: the agent's workload-identity-aws-roles-anywhere service
// and AWS's own aws_signing_helper sign CreateSession with the same X.509-SVID, and an independent
// judge (test/support/roles-anywhere-endpoint.ts) accepts both and refuses altered requests. The
// credentials it hands out are real moto STS session credentials, so the AWS SDK's own providers
// (fromIni on the credentials file, fromProcess on `tessera agent aws credentials`) can call STS.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromHttp } from "@aws-sdk/credential-provider-http";
import { fromIni } from "@aws-sdk/credential-provider-ini";
import { fromProcess } from "@aws-sdk/credential-provider-process";
import { loadAgentConfig, parseAgentConfig } from "../../agent/config/index.js";
import { createAgentLogger } from "../../agent/logger.js";
import { runOneshot, startAgent, type RunningAgent } from "../../agent/run-agent.js";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { parseCertificates } from "#tessera/core";
import { createBot, createJoinToken } from "#tessera/issuer";
import { createRolesAnywhereSession } from "#tessera/aws-workload";
import { TESSERA_BIN, runTessera } from "../support/cli-process.js";
import { opensslPki, type OpensslPki } from "../support/openssl.js";
import { startRolesAnywhereEndpoint, type RawRequest, type RolesAnywhereEndpoint } from "../support/roles-anywhere-endpoint.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { freePort } from "../support/free-port.js";

const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
const TD = "example.org";
const REGION = "eu-west-1";
const ANCHOR = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7a1d2c-1111-4aaa-8bbb-000000000001";
const PROFILE = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/0b7a1d2c-1111-4aaa-8bbb-000000000002";
const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const MAIN_ID = `spiffe://${TD}/ra/web`;
const SHORT_ID = `spiffe://${TD}/ra/short-credentials`;
const ROTATING_ID = `spiffe://${TD}/ra/short-svid`;
/** Seconds the endpoint lets credentials for each role live (Roles Anywhere's minimum is 900; the judge is ours). */
const LIFETIME: Record<string, number> = { [role("ra-web")]: 900, [role("ra-short")]: 8, [role("ra-rotating")]: 900 };

const lines: string[] = [];
const logger = createAgentLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });
const serialOf = (pem: string) => BigInt(`0x${new X509Certificate(pem).serialNumber}`).toString(10);
const accepted = (ra: RolesAnywhereEndpoint, roleArn: string) =>
  ra.seen.filter((s) => s.verdict.ok && s.verdict.query.get("roleArn") === roleArn);
const reasonOf = (s: RolesAnywhereEndpoint["seen"][number] | undefined) =>
  !s ? "no request" : s.verdict.ok ? "accepted" : s.verdict.reason;
const signedHeadersOf = (raw: RawRequest | undefined) => /SignedHeaders=([^,]+)/.exec(raw?.headers.authorization ?? "")?.[1];
const serialsOf = (ra: RolesAnywhereEndpoint, roleArn: string) =>
  accepted(ra, roleArn).map((s) => (s.verdict.ok ? BigInt(`0x${s.verdict.leaf.serialNumber}`).toString(10) : ""));

describe("IAM Roles Anywhere: the agent's service and aws_signing_helper against the loopback judge", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let helper: string;
  let dev: DevServer;
  let ra: RolesAnywhereEndpoint;
  let agent: RunningAgent;
  let agentConfigPath: string;
  let containerUrl: string;
  let pki: OpensslPki;
  const authorities: X509Certificate[] = [];
  const issued: { roleArn: string; at: number; accessKeyId: string; expiration: Date }[] = [];
  // @aws-sdk/client-sts here is the 3.332 that client-rolesanywhere pulls in, older than the SDK's
  // AWS_ENDPOINT_URL support, so the emulator's endpoint is passed on.
  const stsClient = (options: ConstructorParameters<typeof STSClient>[0] = {}) =>
    new STSClient({ ...(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {}), ...options });
  const sts = stsClient();
  const startIssuer = (port: number) =>
    startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port,
      trustDomain: TD,
      env: { TESSERA_BUNDLE_REFRESH_HINT: "1", TESSERA_LOG_LEVEL: "ERROR" },
    });
  const awsDir = (name: string) => join(tmp.path, "aws", name);
  const helperRun = (args: string[]) =>
    promisify(execFile)(
      helper,
      [
        "credential-process",
        ...args,
        "--trust-anchor-arn",
        ANCHOR,
        "--profile-arn",
        PROFILE,
        "--endpoint",
        ra.url,
        "--session-duration",
        "900",
      ],
      {
        env: { PATH: process.env.PATH ?? "", HOME: tmp.path },
      },
    );

  before(async () => {
    const setup = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", `(await import(${JSON.stringify(join(root, "scripts/interop-setup.mjs"))})).ensureAwsSigningHelper()`],
      {
        stdio: "inherit",
        env: { ...process.env, NODE_OPTIONS: "" },
      },
    );
    assert.equal(setup.status, 0, "building aws_signing_helper failed");
    helper = join(root, "build", "interop", "aws_signing_helper");
    tmp = await makeTempDir("roles-anywhere");
    pki = opensslPki(tmp.path, { keyType: "rsa", uri: `spiffe://${TD}/ra/openssl` });
    dev = await startIssuer(0);
    for (const pem of parseCertificates(await (await fetch(`${dev.url}/v1/bundle?format=pem`)).text()))
      authorities.push(new X509Certificate(Buffer.from(pem)));
    ra = await startRolesAnywhereEndpoint({
      trustAnchorArn: ANCHOR,
      region: REGION,
      anchors: () => [...authorities, new X509Certificate(pki.rootPem)],
      issue: async (verdict) => {
        const roleArn = verdict.query.get("roleArn") as string;
        const res = await sts.send(
          new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "tessera-roles-anywhere", DurationSeconds: 900 }),
        );
        const c = res.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
        const expiration = new Date(Date.now() + (LIFETIME[roleArn] ?? 900) * 1000);
        issued.push({ roleArn, at: Date.now(), accessKeyId: c.AccessKeyId, expiration });
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration };
      },
    });
    await createBot(dev.runtime.admin, { name: "ra", allowedSpiffeIds: [`spiffe://${TD}/ra/*`] }, "test");
    const token = (await createJoinToken(dev.runtime.admin, { botName: "ra", uses: 1 }, "test")).token;
    const raService = (spiffeId: string, roleName: string, profile: string, extra = "") =>
      `  - { type: workload-identity-aws-roles-anywhere, spiffe_id: ${spiffeId}, role_arn: ${role(roleName)}, trust_anchor_arn: ${ANCHOR}, ` +
      `profile_arn: ${PROFILE}, endpoint: "${ra.url}", session_duration: 15m, destination: ${awsDir(profile)}, credential_profile_name: ${profile}${extra} }\n`;
    const containerPort = await freePort();
    containerUrl = `http://127.0.0.1:${containerPort}/credentials`;
    agentConfigPath = join(tmp.path, "agent.yaml");
    writeFileSync(
      agentConfigPath,
      `version: v1
issuer: ${dev.url}
trust_domain: ${TD}
onboarding: { join_method: token, token: ${token} }
storage: { directory: ${join(tmp.path, "agent-state")} }
services:
  - { type: workload-identity-x509, spiffe_id: ${MAIN_ID}, destination: ${join(tmp.path, "svid")} }
${raService(MAIN_ID, "ra-web", "tessera", `, container_credentials: { listen: "127.0.0.1:${containerPort}" }`)}${raService(SHORT_ID, "ra-short", "short")}${raService(ROTATING_ID, "ra-rotating", "rotating", ", ttl: 6s")}`,
    );
    agent = await startAgent({ config: await loadAgentConfig(agentConfigPath), logger, bundleRefreshMs: 1000 });
    await agent.manager.ready(30_000);
    await waitFor("every output written", () => agent.outputs.every((o) => o.status().ready), 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify(agent.report().services)}; ${ra.seen.map(reasonOf).join(", ")}`);
    });
  });
  after(async () => {
    await agent?.stop();
    await ra?.close();
    await dev?.stop();
    sts.destroy();
    await tmp?.remove();
  });

  it("accepts the agent's CreateSession and aws_signing_helper's, signed with the same X.509-SVID", async () => {
    const svidPem = readFileSync(join(tmp.path, "svid", "svid.pem"), "utf8");
    const serial = serialOf(svidPem);
    const fromAgent = ra.seen.find((s) => s.verdict.ok && s.verdict.query.get("roleArn") === role("ra-web"));
    assert.ok(fromAgent?.verdict.ok);
    assert.equal(BigInt(`0x${fromAgent.verdict.leaf.serialNumber}`).toString(10), serial);
    assert.match(fromAgent.raw.headers.authorization as string, /^AWS4-X509-ECDSA-SHA256 Credential=\d+\//);

    const { stdout } = await helperRun([
      "--certificate",
      join(tmp.path, "svid", "svid.pem"),
      "--private-key",
      join(tmp.path, "svid", "svid_key.pem"),
      "--role-arn",
      role("ra-web"),
    ]);
    const out = JSON.parse(stdout) as { Version: number; AccessKeyId: string; Expiration: string };
    assert.equal(out.Version, 1);
    assert.equal(out.AccessKeyId, issued.at(-1)?.accessKeyId);
    const fromHelper = ra.seen.at(-1);
    assert.ok(fromHelper?.verdict.ok, reasonOf(fromHelper));
    assert.match(fromHelper.raw.headers["user-agent"] ?? "", /CredHelper/);
    assert.equal(BigInt(`0x${fromHelper.verdict.leaf.serialNumber}`).toString(10), serial);
    assert.equal(
      new URL(fromHelper.raw.target, "http://x").search,
      new URL(fromAgent.raw.target, "http://x").search,
      "the same query, byte for byte",
    );
    assert.equal(signedHeadersOf(fromAgent.raw), "content-type;host;x-amz-date;x-amz-x509");
    assert.equal(signedHeadersOf(fromHelper.raw), signedHeadersOf(fromAgent.raw), "the same headers signed");
    assert.equal(fromHelper.raw.body, fromAgent.raw.body, "the same body");
  });

  it("accepts both for an RSA key with an intermediate in X-Amz-X509-Chain (openssl PKI)", async () => {
    await helperRun([
      "--certificate",
      pki.paths.leaf,
      "--private-key",
      pki.paths.leafKey,
      "--intermediates",
      pki.paths.intermediate,
      "--role-arn",
      role("ra-web"),
    ]);
    const fromHelper = ra.seen.at(-1);
    assert.ok(fromHelper?.verdict.ok, reasonOf(fromHelper));
    assert.match(fromHelper.raw.headers.authorization as string, /^AWS4-X509-RSA-SHA256 .*SignedHeaders=[a-z0-9;-]*x-amz-x509-chain/);
    const material = {
      certificates: [pki.leafPem, pki.intermediatePem].map((p) => new Uint8Array(new X509Certificate(p).raw)),
      privateKey: createPrivateKey(pki.leafKeyPem),
    };
    const credentials = await createRolesAnywhereSession(material, {
      trustAnchorArn: ANCHOR,
      profileArn: PROFILE,
      roleArn: role("ra-web"),
      durationSeconds: 900,
      endpoint: ra.url,
    });
    assert.equal(credentials.accessKeyId, issued.at(-1)?.accessKeyId);
    assert.equal(fromHelper.raw.headers["x-amz-x509-chain"], ra.seen.at(-1)?.raw.headers["x-amz-x509-chain"]);
    assert.equal(signedHeadersOf(ra.seen.at(-1)?.raw), signedHeadersOf(fromHelper.raw));
    assert.equal(signedHeadersOf(fromHelper.raw), "content-type;host;x-amz-date;x-amz-x509;x-amz-x509-chain");
  });

  it("refuses a request whose signature, date, certificate or chain was altered, and re-signed ones that break the rules", async () => {
    const original = ra.seen.find(
      (s) => s.verdict.ok && s.raw.headers["x-amz-x509-chain"] && /CredHelper/.test(s.raw.headers["user-agent"] ?? ""),
    )?.raw as RawRequest;
    assert.ok(original);
    assert.equal((await ra.replay(original)).status, 201, "the unaltered replay is accepted");
    const other = opensslPki(tmp.path, { keyType: "ec", uri: `spiffe://${TD}/ra/other`, prefix: "other-" });
    const b64 = (pem: string) => Buffer.from(new X509Certificate(pem).raw).toString("base64");
    const flip = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith("0") ? "1" : "0"}`;
    const altered: [string, RawRequest, string][] = [
      [
        "signature",
        { ...original, headers: { ...original.headers, authorization: flip(original.headers.authorization as string) } },
        "signature does not verify",
      ],
      [
        "date (one second later)",
        {
          ...original,
          headers: {
            ...original.headers,
            "x-amz-date": (original.headers["x-amz-date"] as string).replace(/(\d)Z$/, (_, d: string) => `${(Number(d) + 1) % 10}Z`),
          },
        },
        "signature does not verify",
      ],
      [
        "certificate (another RSA key, same serial)",
        {
          ...original,
          headers: {
            ...original.headers,
            "x-amz-x509": b64(opensslPki(tmp.path, { keyType: "rsa", uri: `spiffe://${TD}/ra/x`, prefix: "x-" }).leafPem),
          },
        },
        "signature does not verify",
      ],
      [
        "certificate (an EC leaf)",
        { ...original, headers: { ...original.headers, "x-amz-x509": b64(other.leafPem) } },
        "algorithm does not match the key",
      ],
      [
        "chain (another intermediate)",
        { ...original, headers: { ...original.headers, "x-amz-x509-chain": b64(other.intermediatePem) } },
        "signature does not verify",
      ],
      ["body (longer session)", { ...original, body: JSON.stringify({ durationSeconds: 43200 }) }, "signature does not verify"],
    ];
    const withoutChain = Object.fromEntries(Object.entries(original.headers).filter(([k]) => k !== "x-amz-x509-chain"));
    altered.push(["chain (removed)", { ...original, headers: withoutChain }, "signed headers missing or unsorted"]);
    for (const [what, request, reason] of altered) {
      const res = await ra.replay(request);
      assert.equal(res.status, 403, what);
      assert.equal((JSON.parse(res.body) as { message: string }).message, reason, what);
    }

    const options = { trustAnchorArn: ANCHOR, profileArn: PROFILE, roleArn: role("ra-web"), endpoint: ra.url };
    const key = (p: OpensslPki) => createPrivateKey(p.leafKeyPem);
    const der = (pem: string) => new Uint8Array(new X509Certificate(pem).raw);
    const resigned: [string, Promise<unknown>, string][] = [
      [
        "signed ten minutes ago",
        createRolesAnywhereSession(
          { certificates: [der(pki.leafPem), der(pki.intermediatePem)], privateKey: key(pki) },
          { ...options, now: new Date(Date.now() - 600_000) },
        ),
        "x-amz-date outside the allowed skew",
      ],
      [
        "a CA the anchor does not hold",
        createRolesAnywhereSession({ certificates: [der(other.leafPem), der(other.intermediatePem)], privateKey: key(other) }, options),
        "certificate does not chain to the trust anchor",
      ],
      [
        "the wrong intermediate",
        createRolesAnywhereSession({ certificates: [der(pki.leafPem), der(other.intermediatePem)], privateKey: key(pki) }, options),
        "certificate does not chain to the trust anchor",
      ],
      [
        "no intermediate",
        createRolesAnywhereSession({ certificates: [der(pki.leafPem)], privateKey: key(pki) }, options),
        "certificate does not chain to the trust anchor",
      ],
      [
        "another trust anchor",
        createRolesAnywhereSession(
          { certificates: [der(pki.leafPem), der(pki.intermediatePem)], privateKey: key(pki) },
          { ...options, trustAnchorArn: ANCHOR.replace(/1$/, "9") },
        ),
        "unknown trust anchor",
      ],
    ];
    for (const [what, attempt, reason] of resigned) {
      await assert.rejects(attempt, (err: { code?: string; status?: number; message: string }) => {
        assert.equal(err.code, "ERR_ROLES_ANYWHERE_SESSION", what);
        assert.equal(err.status, 403, what);
        assert.ok(err.message.endsWith(reason), `${what}: ${err.message}`);
        return true;
      });
    }
  });

  it("writes a shared-credentials profile and credential_process JSON (0600) that fromIni and fromProcess read, and STS on moto accepts", async () => {
    const file = join(awsDir("tessera"), "credentials");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(`${file}.json`).mode & 0o777, 0o600);
    assert.match(
      readFileSync(file, "utf8"),
      /^\[tessera\]\naws_access_key_id = \S+\naws_secret_access_key = \S+\naws_session_token = \S+\n$/,
    );
    const emptyConfig = join(tmp.path, "empty-aws-config");
    writeFileSync(emptyConfig, "");
    const ini = await fromIni({ profile: "tessera", filepath: file, configFilepath: emptyConfig, ignoreCache: true })();
    const latestWeb = issued.filter((i) => i.roleArn === role("ra-web") && i.accessKeyId === ini.accessKeyId);
    assert.equal(latestWeb.length, 1, "fromIni read credentials the endpoint issued to the agent");
    const viaIni = await stsClient({
      credentials: fromIni({ profile: "tessera", filepath: file, configFilepath: emptyConfig, ignoreCache: true }),
    }).send(new GetCallerIdentityCommand({}));
    assert.match(viaIni.Arn ?? "", /:assumed-role\/ra-web\/tessera-roles-anywhere$/);

    const awsConfig = join(tmp.path, "aws-config");
    writeFileSync(
      awsConfig,
      `[profile tessera]\ncredential_process = env NODE_OPTIONS= "${process.execPath}" "${TESSERA_BIN}" agent aws credentials --profile tessera -c "${agentConfigPath}"\n`,
    );
    const proc = await fromProcess({ profile: "tessera", configFilepath: awsConfig, filepath: emptyConfig, ignoreCache: true })();
    assert.equal(proc.accessKeyId, ini.accessKeyId);
    assert.equal(proc.expiration?.toISOString(), latestWeb[0]?.expiration.toISOString());
    const viaProcess = await stsClient({
      credentials: fromProcess({ profile: "tessera", configFilepath: awsConfig, filepath: emptyConfig, ignoreCache: true }),
    }).send(new GetCallerIdentityCommand({}));
    assert.equal(viaProcess.Arn, viaIni.Arn);

    const unknown = await runTessera(["agent", "aws", "credentials", "--profile", "nope", "-c", agentConfigPath]);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /no workload-identity-aws-roles-anywhere service has credential_profile_name "nope" \(profiles: tessera, short, rotating\)/,
    );
    assert.ok(
      !lines.some((l) => l.includes(proc.secretAccessKey) || l.includes(proc.sessionToken ?? "\0")),
      "no secret in the agent's logs",
    );
  });

  it("serves the same credentials in the container-credentials shape on loopback, only with the agent's token (fromHttp)", async () => {
    const tokenPath = join(awsDir("tessera"), "credentials.token");
    assert.equal(statSync(tokenPath).mode & 0o777, 0o600);
    const fromFile = JSON.parse(readFileSync(join(awsDir("tessera"), "credentials.json"), "utf8")) as { AccessKeyId: string };
    const viaHttp = await fromHttp({ awsContainerCredentialsFullUri: containerUrl, awsContainerAuthorizationTokenFile: tokenPath })();
    assert.equal(viaHttp.accessKeyId, fromFile.AccessKeyId);
    const id = await stsClient({
      credentials: fromHttp({ awsContainerCredentialsFullUri: containerUrl, awsContainerAuthorizationTokenFile: tokenPath }),
    }).send(new GetCallerIdentityCommand({}));
    assert.match(id.Arn ?? "", /:assumed-role\/ra-web\/tessera-roles-anywhere$/);
    assert.equal((await fetch(containerUrl)).status, 401);
    assert.equal((await fetch(containerUrl, { headers: { authorization: `${readFileSync(tokenPath, "utf8")}x` } })).status, 401);
    assert.equal(
      (await fetch(containerUrl.replace("/credentials", "/other"), { headers: { authorization: readFileSync(tokenPath, "utf8") } })).status,
      404,
    );
  });

  it("renews the credentials before they expire", async () => {
    const first = issued.find((i) => i.roleArn === role("ra-short"));
    assert.ok(first);
    const second = await waitFor(
      "a second session for ra-short",
      () => issued.find((i) => i.roleArn === role("ra-short") && i.at > first.at),
      15_000,
    );
    assert.ok(second.at < first.expiration.getTime(), "renewed before the first credentials expired");
    await waitFor("renewed credentials in the file", () => {
      const text = readFileSync(join(awsDir("short"), "credentials"), "utf8");
      return issued.some((i) => i.roleArn === role("ra-short") && i.at > first.at && text.includes(i.accessKeyId)) || undefined;
    });
  });

  it("makes a new session with the renewed X.509-SVID whenever the SVID is renewed", async () => {
    const want = { spiffeId: ROTATING_ID, dnsNames: [], ttlSeconds: 6 };
    const firstSerial = serialsOf(ra, role("ra-rotating"))[0];
    await waitFor(
      "an SVID renewal and a session signed by the new SVID",
      () => new Set(serialsOf(ra, role("ra-rotating"))).size >= 2 || undefined,
      20_000,
    );
    const current = agent.manager.x509(want);
    assert.ok(current && current.serialNumber !== firstSerial);
    await waitFor(
      "a session signed by the current SVID",
      () =>
        serialsOf(ra, role("ra-rotating")).includes(
          BigInt(`0x${new X509Certificate(Buffer.from(agent.manager.x509(want)!.certificates[0]!)).serialNumber}`).toString(10),
        ) || undefined,
      10_000,
    );
    assert.ok(
      issued.filter((i) => i.roleArn === role("ra-rotating")).every((i) => i.expiration.getTime() - i.at > 800_000),
      "not renewed for expiry: these credentials last 900 s",
    );
  });

  it("keeps serving the last valid credentials while the issuer and Roles Anywhere are down, then recovers", async () => {
    const port = Number(new URL(dev.url).port);
    const before = await runTessera(["agent", "aws", "credentials", "--profile", "tessera", "-c", agentConfigPath]);
    assert.equal(before.code, 0, before.stderr);
    const downAt = Date.now();
    const logged = lines.length;
    ra.down = true;
    await dev.stop();
    try {
      await waitFor(
        "a failed renewal",
        () => lines.slice(logged).some((l) => l.includes("could not get AWS credentials from IAM Roles Anywhere")) || undefined,
        15_000,
      );
      const during = await runTessera(["agent", "aws", "credentials", "--profile", "tessera", "-c", agentConfigPath]);
      assert.equal(during.code, 0, during.stderr);
      assert.equal(JSON.parse(during.stdout).AccessKeyId, JSON.parse(before.stdout).AccessKeyId);
      const emptyConfig = join(tmp.path, "empty-aws-config");
      const id = await stsClient({
        credentials: fromIni({
          profile: "tessera",
          filepath: join(awsDir("tessera"), "credentials"),
          configFilepath: emptyConfig,
          ignoreCache: true,
        }),
      }).send(new GetCallerIdentityCommand({}));
      assert.match(id.Arn ?? "", /assumed-role\/ra-web\//);
      assert.equal(agent.report().services[`workload-identity-aws-roles-anywhere:${join(awsDir("tessera"), "credentials")}`]?.ready, true);
    } finally {
      dev = await startIssuer(port);
      ra.down = false;
    }
    const upAt = Date.now();
    const fresh = await waitFor(
      "a new ra-short session after the outage",
      () => issued.find((i) => i.roleArn === role("ra-short") && i.at > upAt),
      30_000,
    );
    assert.ok(upAt - downAt > 1000);
    await waitFor("the recovered credentials in the file", () => {
      const text = readFileSync(join(awsDir("short"), "credentials"), "utf8");
      return issued.some((i) => i.roleArn === role("ra-short") && i.at >= fresh.at && text.includes(i.accessKeyId)) || undefined;
    });
    // The agent retries with backoff capped at a minute: recovery is due within that cap.
    await waitFor("every service ready again", () => agent.report().ready || undefined, 65_000).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify(agent.report())}`);
    });
  });

  it("--oneshot writes the credentials once and returns", async () => {
    const token = (await createJoinToken(dev.runtime.admin, { botName: "ra", uses: 1 }, "test")).token;
    const destination = join(tmp.path, "oneshot");
    const config = parseAgentConfig(`version: v1
issuer: ${dev.url}
trust_domain: ${TD}
onboarding: { join_method: token, token: ${token} }
services:
  - { type: workload-identity-aws-roles-anywhere, spiffe_id: ${MAIN_ID}, role_arn: ${role("ra-web")}, trust_anchor_arn: ${ANCHOR}, profile_arn: ${PROFILE}, endpoint: "${ra.url}", destination: ${destination} }
`);
    const before = issued.length;
    await runOneshot({ config, logger }, 20_000);
    const made = issued.slice(before).filter((i) => i.roleArn === role("ra-web"));
    assert.equal(made.length, 1);
    assert.match(
      readFileSync(join(destination, "credentials"), "utf8"),
      new RegExp(`^\\[default\\]\naws_access_key_id = ${made[0]?.accessKeyId}\n`),
    );
  });
});
