import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAgentConfig } from "../../agent/config/index.js";
import { createAgentLogger } from "../../agent/logger.js";
import { runOneshot, startAgent, type RunningAgent } from "../../agent/run-agent.js";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { WorkloadApiClient } from "../../cli/commands/workload-api-client.js";
import { parseAndValidateJwtSvid, parseCertificates, parseSpiffeBundle, verifyX509Svid } from "#tessera/core";
import { createBot, createJoinToken, setLock } from "#tessera/issuer";
import { addPreparedCa } from "../support/add-prepared-ca.js";
import { makeTempDir } from "../support/temp-dir.js";

const TD = "example.org";
const ROOT_ID = `spiffe://${TD}/agent/root-workload`;
const NOBODY_ID = `spiffe://${TD}/agent/nobody-workload`;
const FILE_ID = `spiffe://${TD}/agent/files`;
const LATE_ID = `spiffe://${TD}/agent/late`;

interface X509Response {
  svids: { spiffe_id: string; x509_svid: Buffer; x509_svid_key: Buffer; bundle: Buffer; hint: string }[];
}

const serialOf = (res: X509Response) =>
  new X509Certificate(parseCertificates(new Uint8Array(res.svids[0]!.x509_svid))[0] as Uint8Array).serialNumber;

/** The gRPC status code a call failed with (or "ok"). */
async function statusOf(call: Promise<unknown>): Promise<number | "ok"> {
  try {
    await call;
    return "ok";
  } catch (err) {
    return (err as { code: number }).code;
  }
}

const lines: string[] = [];
const logger = createAgentLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Ask the Workload API until `accept` takes an answer. Unavailable (14) counts as "not yet": the agent
 * answers it while it holds no valid SVID for the caller, e.g. once a 6 s SVID kept through an issuer
 * outage has expired and the next retry is still in its backoff. Any other error fails at once. The
 * deadline covers the agent's longest retry delay (60 s, agent/backoff.ts) with room for a loaded machine.
 */
const SVID_WAIT_MS = 90_000;
async function waitForSvid(
  client: WorkloadApiClient,
  what: string,
  accept: (res: X509Response) => boolean = () => true,
): Promise<X509Response> {
  return waitFor(
    what,
    async () => {
      try {
        const res = await client.first<X509Response>("FetchX509SVID");
        return accept(res) ? res : undefined;
      } catch (err) {
        if ((err as { code?: number }).code === 14) return undefined;
        throw err;
      }
    },
    SVID_WAIT_MS,
  );
}

describe("the agent against a real issuer", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  let port: number;
  let agent: RunningAgent;
  let socketPath: string;
  let client: WorkloadApiClient;
  const startIssuer = (p: number) =>
    startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: p,
      trustDomain: TD,
      env: { TESSERA_BUNDLE_REFRESH_HINT: "1", TESSERA_LOG_LEVEL: "ERROR" },
    });
  const token = async (uses = 1) => (await createJoinToken(dev.runtime.admin, { botName: "agent", uses }, "test")).token;
  const configFor = (joinToken: string, extra = "") =>
    parseAgentConfig(
      `version: v1
issuer: ${dev.url}
trust_domain: ${TD}
onboarding:
  join_method: token
  token: ${joinToken}
storage:
  directory: ${join(tmp.path, "agent-state")}
services:
  - type: workload-identity-api
    listen: unix://${socketPath}
    identities:
      - spiffe_id: ${ROOT_ID}
        selectors: ["unix:uid:0"]
        hint: root
        ttl: 6s
      - spiffe_id: ${NOBODY_ID}
        selectors: ["unix:uid:65534"]
  - type: workload-identity-x509
    spiffe_id: ${FILE_ID}
    destination: ${join(tmp.path, "out-x509")}
    ttl: 1h
  - type: workload-identity-jwt
    spiffe_id: ${FILE_ID}
    audiences: [db]
    destination: ${join(tmp.path, "out-jwt")}
${extra}`,
      { baseDir: tmp.path },
    );

  before(async () => {
    tmp = await makeTempDir("agent");
    socketPath = join(tmp.path, "run", "public", "api.sock");
    dev = await startIssuer(0);
    port = Number(new URL(dev.url).port);
    await createBot(dev.runtime.admin, { name: "agent", allowedSpiffeIds: [`spiffe://${TD}/agent/*`] }, "test");
    agent = await startAgent({ config: configFor(await token()), logger, bundleRefreshMs: 1000 });
    await agent.manager.ready(30_000);
    client = new WorkloadApiClient(socketPath);
  });
  after(async () => {
    client?.close();
    await agent?.stop();
    await dev?.stop();
    await tmp?.remove();
  });

  it("serves this process (uid 0) only the identity selected for uid 0, verifiable against the bundle", async () => {
    const res = await client.first<X509Response>("FetchX509SVID");
    assert.deepEqual(
      res.svids.map((s) => s.spiffe_id),
      [ROOT_ID],
    );
    assert.equal(res.svids[0]?.hint, "root");
    const bundle = parseSpiffeBundle(await (await fetch(`${dev.url}/v1/bundle`)).text(), dev.runtime.config.trustDomain);
    const verified = verifyX509Svid(parseCertificates(new Uint8Array(res.svids[0]!.x509_svid)), bundle);
    assert.equal(verified.spiffeId.toString(), ROOT_ID);
    const statMode = statSync(socketPath).mode & 0o777;
    assert.equal(statMode, 0o777);
    assert.equal(statSync(join(tmp.path, "run", "public")).mode & 0o777, 0o755);
  });

  it("mints and validates JWT-SVIDs over the Workload API", async () => {
    const res = await client.unary<{ svids: { spiffe_id: string; svid: string }[] }>("FetchJWTSVID", { audience: ["db"], spiffe_id: "" });
    assert.deepEqual(
      res.svids.map((s) => s.spiffe_id),
      [ROOT_ID],
    );
    const validated = await client.unary<{ spiffe_id: string }>("ValidateJWTSVID", { audience: "db", svid: res.svids[0]!.svid });
    assert.equal(validated.spiffe_id, ROOT_ID);
    await assert.rejects(
      client.unary("FetchJWTSVID", { audience: ["db"], spiffe_id: NOBODY_ID }),
      (err: { code: number }) => err.code === 7,
    );
  });

  it("answers InvalidArgument to audiences the issuer would refuse, and logs no caller input", async () => {
    const from = lines.length;
    const cases: [string[], RegExp][] = [
      [Array.from({ length: 1000 }, (_, i) => `audience-${i}`), /1 to 10 values, got 1000/],
      [["y".repeat(60_000)], /1 to 512 characters, got 60000/],
      [["db\u0000"], /printable characters only/],
      [["\u202Ebd"], /printable characters only/],
      [["db\u2066x"], /printable characters only/],
    ];
    for (const [audience, details] of cases) {
      await assert.rejects(client.unary("FetchJWTSVID", { audience, spiffe_id: "" }), (err: { code: number; details: string }) => {
        assert.equal(err.code, 3, err.details);
        assert.match(err.details, details);
        return true;
      });
    }
    const logged = lines.slice(from);
    assert.ok(
      logged.every((l) => l.length < 2000 && !l.includes("audience-999") && !l.includes("yyyyyyyyyy")),
      logged.join("\n"),
    );
    assert.ok(
      logged.every((l) => !l.includes('"level":"error"')),
      logged.join("\n"),
    );
  });

  it("writes the file outputs with the right modes", async () => {
    const dir = join(tmp.path, "out-x509");
    await waitFor("x509 files", () => agent.outputs.every((o) => o.status().ready) || undefined);
    const leaf = new X509Certificate(readFileSync(join(dir, "svid.pem")));
    assert.equal(leaf.subjectAltName, `URI:${FILE_ID}`);
    assert.equal(statSync(join(dir, "svid_key.pem")).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, "svid.pem")).mode & 0o777, 0o644);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const bundle = parseSpiffeBundle(await (await fetch(`${dev.url}/v1/bundle`)).text(), dev.runtime.config.trustDomain);
    const jwt = readFileSync(join(tmp.path, "out-jwt", "jwt_svid.token"), "utf8");
    assert.equal(statSync(join(tmp.path, "out-jwt", "jwt_svid.token")).mode & 0o777, 0o600);
    const svid = await parseAndValidateJwtSvid(jwt, bundle, { audience: ["db"] });
    assert.equal(svid.spiffeId.toString(), FILE_ID);
    const jwks = JSON.parse(readFileSync(join(tmp.path, "out-jwt", "jwt_bundle.json"), "utf8")) as { keys: unknown[] };
    assert.equal(jwks.keys.length, 1);
  });

  it("renews at about half the lifetime and streams the new SVID to a watcher", async () => {
    const serials: string[] = [];
    const stream = client.watch<X509Response>(
      "FetchX509SVID",
      (m) => serials.push(new X509Certificate(parseCertificates(new Uint8Array(m.svids[0]!.x509_svid))[0] as Uint8Array).serialNumber),
      () => undefined,
    );
    try {
      await waitFor("a renewal", () => (new Set(serials).size >= 2 ? true : undefined), 15_000);
    } finally {
      stream.cancel();
    }
  });

  it("keeps serving its SVIDs while the issuer is down, and recovers when it is back", async () => {
    await dev.stop();
    try {
      await new Promise((r) => setTimeout(r, 3500));
      const res = await client.first<X509Response>("FetchX509SVID");
      assert.equal(res.svids[0]?.spiffe_id, ROOT_ID);
      assert.ok(lines.some((l) => l.includes("could not get the X.509-SVID") || l.includes("could not fetch the trust bundle")));
    } finally {
      dev = await startIssuer(port);
    }
    const before = agent.manager.status().svids.find((s) => s.spiffeId === ROOT_ID)?.expiresAt;
    await waitFor("a renewal after the issuer came back", () => {
      const now = agent.manager.status().svids.find((s) => s.spiffeId === ROOT_ID)?.expiresAt;
      return now !== before ? true : undefined;
    });
  });

  it("streams a bundle change (a second CA published) to watchers", async () => {
    const counts: number[] = [];
    const stream = client.watch<X509Response>(
      "FetchX509SVID",
      (m) => counts.push(parseCertificates(new Uint8Array(m.svids[0]!.bundle)).length),
      () => undefined,
    );
    try {
      await waitFor("first message", () => (counts.length ? true : undefined));
      assert.equal(counts.at(-1), 1);
      await addPreparedCa(dev.runtime);
      await waitFor("the second CA in the stream", () => (counts.at(-1) === 2 ? true : undefined));
    } finally {
      stream.cancel();
    }
  });

  it("answers /readyz and /metrics", async () => {
    const report = agent.report();
    assert.equal(report.ready, true, JSON.stringify(report.services));
    assert.ok(
      report.metrics.some(
        (m) => m.name === "tessera_agent_x509_svid_expiry_seconds" && m.samples.length === 3 && m.samples.every((x) => x.value > 0),
      ),
    );
  });

  it("oneshot writes every file output and returns", async () => {
    const out = join(tmp.path, "oneshot");
    const config = parseAgentConfig(
      `version: v1
issuer: ${dev.url}
trust_domain: ${TD}
onboarding: { join_method: token, token: ${await token()} }
services:
  - { type: workload-identity-x509, spiffe_id: ${FILE_ID}, destination: ${out} }
  - { type: workload-identity-jwt, spiffe_id: ${FILE_ID}, audiences: [a, b], destination: ${out} }
`,
    );
    await runOneshot({ config, logger }, 20_000);
    assert.ok(new X509Certificate(readFileSync(join(out, "svid.pem"))).subjectAltName?.includes(FILE_ID));
    assert.ok(readFileSync(join(out, "jwt_svid.token"), "utf8").split(".").length === 3);
  });

  it("waits for an issuer that is down at start, then serves", async () => {
    const config = parseAgentConfig(
      `version: v1
issuer: http://127.0.0.1:9
trust_domain: ${TD}
onboarding: { join_method: token, token: ${"A".repeat(43)} }
services:
  - { type: workload-identity-x509, spiffe_id: ${FILE_ID}, destination: ${join(tmp.path, "never")} }
`,
    );
    const lonely = await startAgent({ config, logger });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(lonely.report().ready, false);
      assert.ok(lonely.manager.status().svids[0]?.lastError);
    } finally {
      await lonely.stop();
    }
  });

  it("restarts from its stored credential without a new join token", async () => {
    await agent.stop();
    const used = configFor("A".repeat(43));
    agent = await startAgent({ config: used, logger, bundleRefreshMs: 1000 });
    await agent.manager.ready(20_000);
    const res = await client.first<X509Response>("FetchX509SVID");
    assert.equal(res.svids[0]?.spiffe_id, ROOT_ID);
  });

  it("restarted while the issuer is down, serves the SVIDs it kept (keys 0600) until the issuer is back", async () => {
    await agent.renewNow();
    const before = serialOf(await client.first<X509Response>("FetchX509SVID"));
    await agent.stop();
    await dev.stop();
    const from = lines.length;
    try {
      agent = await startAgent({ config: configFor("A".repeat(43)), logger, bundleRefreshMs: 1000 });
      const res = await client.first<X509Response>("FetchX509SVID");
      assert.equal(res.svids[0]?.spiffe_id, ROOT_ID);
      assert.equal(serialOf(res), before, "the SVID kept from before the restart");
      assert.ok(lines.slice(from).some((l) => l.includes("serving the kept X.509-SVID")));
      const state = join(tmp.path, "agent-state");
      assert.equal(statSync(join(state, "svids")).mode & 0o777, 0o700);
      const kept = readdirSync(join(state, "svids")).filter((f) => f.endsWith(".json"));
      assert.equal(kept.length, 3, "one file per wanted X.509-SVID");
      for (const f of kept) assert.equal(statSync(join(state, "svids", f)).mode & 0o777, 0o600);
    } finally {
      dev = await startIssuer(port);
    }
    await waitForSvid(client, "a new SVID from the issuer", (res) => serialOf(res) !== before);
  });

  it("restarted with the issuer down and its bot locked, answers Unavailable (not PermissionDenied) until the identity arrives after the unlock", async () => {
    const lateConfig = () =>
      parseAgentConfig(
        `version: v1
issuer: ${dev.url}
trust_domain: ${TD}
onboarding: { join_method: token, token: ${"A".repeat(43)} }
storage: { directory: ${join(tmp.path, "agent-state")} }
services:
  - type: workload-identity-api
    listen: unix://${socketPath}
    identities:
      - { spiffe_id: ${LATE_ID}, selectors: ["unix:uid:0"] }
`,
      );
    await setLock(dev.runtime.admin, { target: "bot", id: "agent", locked: true, reason: "test" }, "test");
    await agent.stop();
    await dev.stop();
    const from = lines.length;
    try {
      agent = await startAgent({ config: lateConfig(), logger, bundleRefreshMs: 500 });
      assert.ok(agent.manager.bundle(), "the kept bundle is served");
      assert.equal(await statusOf(client.first("FetchX509SVID")), 14, "Unavailable while the issuer is down");
    } finally {
      dev = await startIssuer(port);
    }
    // Fetches the bundle and asks for the SVID once more, now that the issuer is back.
    await agent.renewNow();
    assert.ok(
      lines.slice(from).some((l) => l.includes("locked at the issuer")),
      lines.slice(from).join("\n"),
    );
    assert.equal(await statusOf(client.first("FetchX509SVID")), 14, "Unavailable while the bot is locked");
    assert.equal(agent.session.status().ready, true, "the credential is kept while the bot is locked");
    await setLock(dev.runtime.admin, { target: "bot", id: "agent", locked: false }, "test");
    const res = await waitForSvid(client, "the identity after the unlock");
    assert.equal(res.svids[0]?.spiffe_id, LATE_ID);
    const logged = lines.slice(from);
    assert.ok(
      !logged.some((l) => l.includes("joining again") || l.includes("X.509-SVID; keeping the current one") || l.includes("current_valid")),
      logged.join("\n"),
    );
  });
});
