// The agent restarted with its state kept, against the real dev issuer: it serves the X.509-SVID it
// kept at once and asks the issuer for none until that one is due, and it never serves a kept one
// that policy no longer allows: one issued for another registration, one the issuer revoked (even
// when the issuer is down at the restart), one whose CA an emergency rotation removed.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAgentConfig } from "../../agent/config/index.js";
import { createAgentLogger } from "../../agent/logger.js";
import { startAgent, type RunningAgent } from "../../agent/run-agent.js";
import { WorkloadApiClient } from "../../cli/commands/workload-api-client.js";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { parseCertificates } from "#tessera/core";
import { createBot, createJoinToken, revokeSvids, setLock } from "#tessera/issuer";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

const TD = "example.org";
const ID = `spiffe://${TD}/agent/restarted`;

interface X509Response {
  svids: { spiffe_id: string; x509_svid: Buffer }[];
}

const lines: string[] = [];
const logger = createAgentLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });
const serialOf = (res: X509Response) =>
  new X509Certificate(Buffer.from(parseCertificates(new Uint8Array(res.svids[0]!.x509_svid))[0]!)).serialNumber.toLowerCase();

/** The serial the agent serves, or the gRPC status code it answers instead. */
async function served(client: WorkloadApiClient): Promise<string | number> {
  try {
    return serialOf(await client.first<X509Response>("FetchX509SVID"));
  } catch (err) {
    return (err as { code: number }).code;
  }
}

describe("the agent restarted with its state kept", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  let port: number;
  let agent: RunningAgent | undefined;
  let client: WorkloadApiClient;
  let socketPath: string;
  const startIssuer = (p: number) =>
    startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: p,
      trustDomain: TD,
      env: { TESSERA_BUNDLE_REFRESH_HINT: "1", TESSERA_LOG_LEVEL: "ERROR" },
    });
  let token = "";
  /** Restart the agent; returns where its log lines start. */
  const restartAgent = async (dnsNames: string[] = []) => {
    await agent?.stop();
    const from = lines.length;
    const config = parseAgentConfig(
      `version: v1
issuer: ${dev.url}
trust_domain: ${TD}
revocation_interval: 1s
onboarding: { join_method: token, token: ${token} }
storage: { directory: ${join(tmp.path, "agent-state")} }
services:
  - type: workload-identity-api
    listen: unix://${socketPath}
    identities:
      - { spiffe_id: ${ID}, selectors: ["unix:uid:${process.getuid!()}"], ttl: 1h, dns_names: [${dnsNames.join(", ")}] }
`,
    );
    agent = await startAgent({ config, logger, bundleRefreshMs: 1000 });
    return from;
  };
  /** Restart the agent while the issuer is down; the issuer is back when this returns. */
  const restartWithIssuerDown = async <T>(check: () => Promise<T>, dnsNames: string[] = []): Promise<T> => {
    await agent?.stop();
    await dev.stop();
    try {
      await restartAgent(dnsNames);
      return await check();
    } finally {
      dev = await startIssuer(port);
    }
  };

  before(async () => {
    tmp = await makeTempDir("agent-restart");
    socketPath = join(tmp.path, "run", "api.sock");
    dev = await startIssuer(0);
    port = Number(new URL(dev.url).port);
    await createBot(dev.runtime.admin, { name: "agent", allowedSpiffeIds: [`spiffe://${TD}/agent/*`] }, "test");
    token = (await createJoinToken(dev.runtime.admin, { botName: "agent" }, "test")).token;
    await restartAgent();
    await agent!.manager.ready(30_000);
    client = new WorkloadApiClient(socketPath);
  });
  after(async () => {
    client?.close();
    await agent?.stop();
    await dev?.stop();
    await tmp?.remove();
  });

  it("serves the SVID it kept at once and asks the issuer for none while it is not due", async () => {
    const before = await served(client);
    assert.equal(typeof before, "string");
    const from = await restartAgent();
    assert.equal(await served(client), before, "the kept SVID, before any bundle or revocation poll");
    // Two bundle refreshes and revocation polls later, still the kept SVID and no issuance.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await served(client), before);
    const logged = lines.slice(from);
    assert.ok(logged.some((l) => l.includes("serving the kept X.509-SVID")));
    assert.ok(!logged.some((l) => l.includes("X.509-SVID issued")), logged.join("\n"));
  });

  it("does not serve a kept SVID for a registration that changed (here its DNS names), even with the issuer down", async () => {
    const code = await restartWithIssuerDown(() => served(client), ["changed.example.org"]);
    assert.equal(code, 14, "Unavailable: nothing kept for this registration");
    await restartAgent();
  });

  it("forgets an SVID the issuer revoked: restarted while the issuer is down, it does not serve it", async () => {
    const revoked = await served(client);
    assert.equal(typeof revoked, "string");
    // Locked, the bot gets no new SVID: the revoked one is the last the agent was issued.
    await setLock(dev.runtime.admin, { target: "bot", id: "agent", locked: true, reason: "test" }, "test");
    try {
      await revokeSvids(dev.runtime.revocation, { serial: revoked as string, reason: "keyCompromise" }, "test");
      await waitFor("the agent to drop the revoked SVID", async () => (await served(client)) === 14);
      const from = lines.length;
      assert.equal(await restartWithIssuerDown(() => served(client)), 14, "Unavailable, not the revoked SVID");
      assert.ok(!lines.slice(from).some((l) => l.includes("serving the kept X.509-SVID")));
    } finally {
      await setLock(dev.runtime.admin, { target: "bot", id: "agent", locked: false }, "test");
    }
    await restartAgent();
    const next = await waitFor("a new SVID after the unlock", async () => {
      const now = await served(client);
      return typeof now === "string" ? now : undefined;
    });
    assert.notEqual(next, revoked);
  });

  it("stops serving a kept SVID whose CA an emergency rotation removed while it was stopped", async () => {
    const before = await served(client);
    assert.equal(typeof before, "string");
    await agent!.stop();
    agent = undefined;
    const rotated = await fetch(`${dev.url}/v1/admin/ca/rotate`, {
      method: "POST",
      headers: { authorization: `Bearer ${(await readFile(dev.adminTokenPath, "utf8")).trim()}`, "content-type": "application/json" },
      body: JSON.stringify({ emergency: true, kind: "x509", reason: "test: CA key exposed" }),
    });
    assert.equal(rotated.status, 200, await rotated.text());
    await setLock(dev.runtime.admin, { target: "bot", id: "agent", locked: true, reason: "test" }, "test");
    try {
      const from = await restartAgent();
      await waitFor("the agent to drop the SVID of the removed CA", async () => (await served(client)) === 14);
      assert.ok(lines.slice(from).some((l) => l.includes("no longer chains to the trust bundle")));
    } finally {
      await setLock(dev.runtime.admin, { target: "bot", id: "agent", locked: false }, "test");
    }
    const next = await waitFor("a new SVID from the new CA", async () => {
      const now = await served(client);
      return typeof now === "string" ? now : undefined;
    });
    assert.notEqual(next, before);
  });
});
