import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { IssuerClient, type IssuerApiError } from "../../agent/issuer-client.js";
import { parseAndValidateJwtSvid, parseSpiffeBundle, TrustDomain } from "#tessera/core";
import { runTessera, startDevProcess, type DevProcess } from "../support/cli-process.js";
import { opensslVerify } from "../support/openssl.js";
import { makeTempDir } from "../support/temp-dir.js";

const TD = "example.org";
const WEB = `spiffe://${TD}/demo/web`;

describe("end to end: `tessera dev`, the CLI, and a restart", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dataDir: string;
  let dev: DevProcess;
  const cli = async (...args: string[]) => {
    const run = await runTessera([...args, "--issuer", dev.url, "--data-dir", dataDir]);
    return run;
  };
  const cliJson = async (...args: string[]) => {
    const run = await cli(...args, "--json");
    assert.equal(run.code, 0, `tessera ${args.join(" ")}: ${run.stdout} ${run.stderr}`);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };

  before(async () => {
    tmp = await makeTempDir("e2e");
    dataDir = join(tmp.path, "data");
    dev = await startDevProcess(dataDir);
  });
  after(async () => {
    await dev?.stop();
    await tmp?.remove();
  });

  let credential: string;
  let instanceId: string;
  const client = () => new IssuerClient({ issuer: dev.url });

  it("creates a bot and a join token with the CLI", async () => {
    const bot = await cliJson(
      "bot",
      "create",
      "demo",
      "--allow",
      `spiffe://${TD}/demo/*`,
      "--allow-dns",
      "Web.Demo.Internal",
      "--allow-dns",
      "*.svc.demo.internal",
      "--max-ttl",
      "2h",
    );
    assert.equal(bot.name, "demo");
    assert.deepEqual(bot.allowed_dns_names, ["web.demo.internal", "*.svc.demo.internal"]);
    const listed = await cli("bot", "list");
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /^NAME\s+STATE.*ALLOWED DNS NAMES$/m);
    assert.match(listed.stdout, /demo\s+active\s+token\s+\S+\s+web\.demo\.internal \*\.svc\.demo\.internal$/m);
    const shown = await cli("bot", "show", "demo");
    assert.match(shown.stdout, /^allowed_dns_names: web\.demo\.internal \*\.svc\.demo\.internal$/m);
    const refused = await cli("bot", "create", "wild", "--allow", `spiffe://${TD}/wild/{{constructor}}`);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ERR_POLICY_INVALID/);
  });

  it("`tessera policy test` answers allowed or the refusal a real request would get; `tessera console login` prints a one-time link", async () => {
    const allowed = await cli(
      "policy",
      "test",
      "--bot",
      "demo",
      "--spiffe-id",
      `spiffe://${TD}/demo/web`,
      "--dns",
      "WEB.demo.internal",
      "--ttl",
      "5h",
    );
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /^allowed\n/);
    assert.match(allowed.stdout, /^dns_names: web\.demo\.internal$/m);
    assert.match(allowed.stdout, /^ttl: 7200s$/m);
    const refused = await cliJson("policy", "test", "--bot", "demo", "--spiffe-id", `spiffe://${TD}/other`, "--attr", "repository=x");
    assert.equal(refused.allowed, false);
    assert.equal(refused.code, "ERR_SPIFFEID_NOT_ALLOWED");
    const badAttr = await cli("policy", "test", "--bot", "demo", "--spiffe-id", `spiffe://${TD}/demo/web`, "--attr", "novalue");
    assert.equal(badAttr.code, 2);
    const link = await cli("console", "login");
    assert.equal(link.code, 0, link.stderr);
    const url = /^(http:\/\/\S+\/console\/login\?code=\S+)$/m.exec(link.stdout)?.[1] as string;
    const login = await fetch(url, { redirect: "manual" });
    assert.equal(login.status, 303);
    assert.match(login.headers.get("set-cookie") ?? "", /HttpOnly; SameSite=Strict/);
    assert.equal((await fetch(url, { redirect: "manual" })).status, 401, "the link works once");
  });

  it("writes an X.509-SVID to disk that openssl verifies against GET /v1/bundle", async () => {
    const token = (await cliJson("token", "create", "--bot", "demo")).token as string;
    const out = join(tmp.path, "svid");
    const run = await cli("svid", "x509", "--token", token, "--spiffe-id", WEB, "--out", out);
    assert.equal(run.code, 0, run.stderr);
    const bundlePem = await client().fetchBundle("pem");
    const leaf = readFileSync(join(out, "svid.pem"), "utf8");
    assert.match(opensslVerify(tmp.path, bundlePem, leaf), /: OK/);
    assert.equal(readFileSync(join(out, "svid_bundle.pem"), "utf8"), bundlePem);
    assert.equal(new X509Certificate(leaf).subjectAltName, `URI:${WEB}`);
    assert.ok(
      new X509Certificate(leaf).checkPrivateKey(
        await import("node:crypto").then((c) => c.createPrivateKey(readFileSync(join(out, "svid_key.pem")))),
      ),
    );
    assert.equal(statSync(join(out, "svid_key.pem")).mode & 0o777, 0o600);
    assert.equal(statSync(join(out, "svid.pem")).mode & 0o777, 0o644);
  });

  it("puts only the DNS names the bot's rules grant into an X.509-SVID", async () => {
    const token = (await cliJson("token", "create", "--bot", "demo", "--uses", "2")).token as string;
    const out = join(tmp.path, "svid-dns");
    const run = await cli(
      "svid",
      "x509",
      "--token",
      token,
      "--spiffe-id",
      WEB,
      "--out",
      out,
      "--dns",
      "web.demo.internal",
      "--dns",
      "db.svc.demo.internal",
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      new X509Certificate(readFileSync(join(out, "svid.pem"), "utf8")).subjectAltName,
      `URI:${WEB}, DNS:web.demo.internal, DNS:db.svc.demo.internal`,
    );
    const refused = await cli(
      "svid",
      "x509",
      "--token",
      token,
      "--spiffe-id",
      WEB,
      "--out",
      join(tmp.path, "svid-google"),
      "--dns",
      "www.google.com",
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ERR_DNS_NAME_NOT_ALLOWED/);
    const audit = await cli("audit", "--bot", "demo", "--type", "svid_refused", "--limit", "1");
    assert.equal(audit.code, 0, audit.stderr);
    const row = audit.stdout.split("\n")[1] as string;
    assert.match(row, /svid_refused\s+demo\s.*ERR_DNS_NAME_NOT_ALLOWED\s+issuer: bot demo may not put the DNS name www\.google\.com/);
  });

  it("gives a JWT-SVID that validates against the bundle with the right audience", async () => {
    const token = (await cliJson("token", "create", "--bot", "demo", "--uses", "1")).token as string;
    const credentialFile = join(tmp.path, "credential");
    const joined = await cliJson("join", "token", "--token", token, "--credential-file", credentialFile);
    assert.equal(statSync(credentialFile).mode & 0o777, 0o600);
    credential = readFileSync(credentialFile, "utf8").trim();
    instanceId = joined.instance_id as string;
    const jwt = await cli("svid", "jwt", "--credential-file", credentialFile, "--spiffe-id", WEB, "--audience", "db");
    assert.equal(jwt.code, 0, jwt.stderr);
    const bundle = parseSpiffeBundle(await client().fetchBundle(), TrustDomain.fromString(TD));
    const svid = await parseAndValidateJwtSvid(jwt.stdout.trim(), bundle, { audience: ["db"] });
    assert.equal(svid.spiffeId.toString(), WEB);
    await assert.rejects(parseAndValidateJwtSvid(jwt.stdout.trim(), bundle, { audience: ["other"] }), { code: "ERR_JWTSVID_INVALID" });
  });

  it("renews twice; a replayed credential locks the instance; the CLI unlocks it; the audit shows it all", async () => {
    const first = await client().renew(credential);
    const second = await client().renew(first.credential);
    assert.equal(second.generation, 3);
    await assert.rejects(
      client().renew(first.credential),
      (err: IssuerApiError) => err.status === 403 && err.code === "ERR_GENERATION_MISMATCH",
    );
    await assert.rejects(client().fetchJwtSvid(second.credential, { spiffeId: WEB, audience: ["db"] }), { code: "ERR_BOT_LOCKED" });
    const shown = await cliJson("bot", "show", "demo");
    const instance = (shown.instances as { id: string; lock?: unknown }[]).find((i) => i.id === instanceId);
    assert.ok(instance?.lock, "instance is locked");
    const unlock = await cli("bot", "unlock", "demo", "--instance", instanceId);
    assert.equal(unlock.code, 0, unlock.stderr);
    const svid = await client().fetchJwtSvid(second.credential, { spiffeId: WEB, audience: ["db"] });
    assert.equal(svid.spiffe_id, WEB);
    credential = second.credential;

    const audit = (await cliJson("audit", "--bot", "demo")).events as { type: string; instance_id?: string }[];
    const types = audit.filter((e) => e.instance_id === instanceId || e.type === "unlock").map((e) => e.type);
    for (const t of ["join", "renew", "lock", "unlock", "jwt_svid"]) assert.ok(types.includes(t), `audit has ${t}: ${types.join(",")}`);
    const table = await cli("audit", "--bot", "demo", "--type", "lock");
    assert.match(table.stdout, /^TIME\s+TYPE/m);
    assert.match(table.stdout, /lock\s+demo/);
  });

  it("shows who locked what and why; a token by its hash prefix; a no-op unlock writes nothing", async () => {
    const created = await cliJson("token", "create", "--bot", "demo");
    const hash = created.token_hash as string;
    const locked = await cli("token", "lock", hash, "--reason", "seen in a CI log");
    assert.equal(locked.code, 0, locked.stderr);
    const table = await cli("audit", "--bot", "demo", "--type", "lock", "--limit", "1");
    assert.match(table.stdout, /^TIME\s+TYPE\s+BOT.*\bTOKEN\s+ACTOR\s+CODE\s+REASON$/m);
    const row = table.stdout.split("\n")[1] as string;
    assert.ok(row.includes(`${hash.slice(0, 12)}...`), row);
    assert.match(row, /local-admin\s+-\s+seen in a CI log$/);

    const before = ((await cliJson("audit", "--limit", "1000")).events as unknown[]).length;
    const noop = await cli("bot", "unlock", "demo");
    assert.equal(noop.code, 0, noop.stderr);
    assert.match(noop.stdout, /bot demo was not locked; nothing changed/);
    assert.equal(((await cliJson("audit", "--limit", "1000")).events as unknown[]).length, before);

    const unknown = await cli("token", "lock", "0".repeat(64), "--json");
    assert.equal(unknown.code, 1);
    assert.equal(JSON.parse(unknown.stdout).error.code, "ERR_JOIN_TOKEN_NOT_FOUND");
  });

  it("keeps bots, CA, tokens and the audit trail across a restart", async () => {
    const bundleBefore = await client().fetchBundle();
    const auditBefore = ((await cliJson("audit", "--limit", "1000")).events as unknown[]).length;
    assert.equal(await dev.stop(), 0);
    dev = await startDevProcess(dataDir);
    assert.equal(await client().fetchBundle(), bundleBefore);
    const bots = (await cliJson("bot", "list")).bots as { name: string }[];
    assert.deepEqual(
      bots.map((b) => b.name),
      ["demo"],
    );
    assert.equal(((await cliJson("audit", "--limit", "1000")).events as unknown[]).length, auditBefore);
    const svid = await client().fetchJwtSvid(credential, { spiffeId: WEB, audience: ["db"] });
    assert.equal(svid.spiffe_id, WEB);
    const status = await cliJson("ca", "status");
    assert.equal(status.trustDomain, TD);
    assert.equal((status.slots as unknown[]).length, 2);
  });

  it("keeps a deleted bot dead when the CLI creates one of the same name, across a restart", async () => {
    const ghostId = `spiffe://${TD}/ghost/api`;
    const first = await cliJson("bot", "create", "ghost", "--allow", `spiffe://${TD}/ghost/*`);
    const spare = (await cliJson("token", "create", "--bot", "ghost", "--uses", "3")).token as string;
    const credentialFile = join(tmp.path, "ghost-credential");
    await cliJson(
      "join",
      "token",
      "--token",
      (await cliJson("token", "create", "--bot", "ghost")).token as string,
      "--credential-file",
      credentialFile,
    );
    const jwt = () => cli("svid", "jwt", "--credential-file", credentialFile, "--spiffe-id", ghostId, "--audience", "db");
    assert.equal((await jwt()).code, 0);
    assert.equal((await cli("bot", "delete", "ghost")).code, 0);
    const second = await cliJson("bot", "create", "ghost", "--allow", `spiffe://${TD}/ghost/*`);
    assert.notEqual(second.id, first.id);
    const dead = async () => {
      assert.equal((await jwt()).code, 1);
      assert.equal((await cli("svid", "jwt", "--token", spare, "--spiffe-id", ghostId, "--audience", "db")).code, 1);
      const shown = await cli("bot", "show", "ghost");
      assert.match(shown.stdout, new RegExp(`id:?\\s+${String(second.id)}`));
      assert.deepEqual((await cliJson("bot", "show", "ghost")).instances, []);
      assert.deepEqual((await cliJson("token", "list", "--bot", "ghost")).tokens, []);
    };
    await dead();
    assert.equal(await dev.stop(), 0);
    dev = await startDevProcess(dataDir);
    await dead();
  });

  it("shows the rotation schedule and that no trust anchor is configured, and `tessera ca rotate` asks for a new CA and JWT key now", async () => {
    const shown = await cli("ca", "status");
    assert.match(shown.stdout, /^ {2}x509: prepare slot b at \S+$/m);
    assert.match(shown.stdout, /^ {2}jwt: prepare slot b at \S+$/m);
    assert.match(shown.stdout, /^Roles Anywhere trust anchor: not configured/m);
    const rotated = await cliJson("ca", "rotate");
    const schedule = rotated.schedule as { kind: string; next: { step: string; due: boolean }; rotationRequestedAt?: string }[];
    assert.deepEqual(
      schedule.map((p) => [p.kind, p.next.step, p.next.due, typeof p.rotationRequestedAt]),
      [
        ["x509", "prepare", true, "string"],
        ["jwt", "prepare", true, "string"],
      ],
    );
  });

  it("refuses a data directory of another trust domain", async () => {
    const run = await runTessera(["dev", "--port", "0", "--data-dir", dataDir, "--trust-domain", "other.org"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /belongs to trust domain example.org/);
  });

  it("follows the CLI conventions: usage exit 2, failures exit 1, JSON errors", async () => {
    assert.equal((await cli("bogus", "verb")).code, 2);
    assert.equal((await cli("bot", "create", "x")).code, 2);
    assert.equal((await cli("bot", "list", "--no-such-flag")).code, 2);
    const missing = await cli("bot", "show", "nobody", "--json");
    assert.equal(missing.code, 1);
    assert.deepEqual(Object.keys(JSON.parse(missing.stdout)), ["error"]);
    assert.equal(JSON.parse(missing.stdout).error.code, "ERR_BOT_NOT_FOUND");
    const noAdmin = await runTessera([
      "bot",
      "list",
      "--issuer",
      dev.url,
      "--data-dir",
      join(tmp.path, "nowhere"),
      "--admin-token",
      "wrong",
    ]);
    assert.equal(noAdmin.code, 1);
    assert.match(noAdmin.stderr, /ERR_UNAUTHORIZED/);
    assert.match(noAdmin.stderr, /dev issuer's admin routes need its admin token as Authorization: Bearer/);
    assert.doesNotMatch(noAdmin.stderr, /SigV4/);
    const help = await runTessera(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /tessera bot create/);
    assert.equal((await runTessera(["agent", "api", "--help"])).code, 0);
    assert.match((await runTessera(["--version"])).stdout, /^tessera \d+\.\d+\.\d+\n$/);
    const bare = await runTessera([]);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /^usage: tessera/);
  });
});
