// go-spiffe v2 and py-spiffe against the real agent: joined to a real dev issuer, serving the
// Workload API on its socket with unix attestation. The clients fetch, verify and validate, then
// their watchers follow an SVID renewal done by the agent and a CA added at the issuer.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAgentConfig } from "../../agent/config/index.js";
import { createAgentLogger } from "../../agent/logger.js";
import { startAgent, type RunningAgent } from "../../agent/run-agent.js";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { createBot, createJoinToken } from "../../layers/spiffe/src/index.js";
import { addPreparedCa } from "../support/add-prepared-ca.js";
import { makeTempDir } from "../support/temp-dir.js";
import { startClient, type ClientEvent, type ClientProcess } from "./client-process.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const TD = "example.org";
const WEB = `spiffe://${TD}/interop/web`;
const clients: [string, string, string[]][] = [
  ["go-spiffe", join(root, "build/interop/go-workload-client"), []],
  ["py-spiffe", join(root, "build/interop/venv/bin/python"), [join(root, "test/interop/python/workload_client.py")]],
];
const failed = (e: ClientEvent) => e.event === "error";

describe("interoperability with the real agent: go-spiffe and py-spiffe", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  let agent: RunningAgent;
  let socketPath: string;
  const running: ClientProcess[] = [];

  before(async () => {
    const setup = spawnSync(process.execPath, [join(root, "scripts/interop-setup.mjs")], { stdio: "inherit", env: { ...process.env, NODE_OPTIONS: "" } });
    assert.equal(setup.status, 0, "scripts/interop-setup.mjs failed");
    tmp = await makeTempDir("agent-interop");
    socketPath = join(tmp.path, "run", "api.sock");
    dev = await startDevServer({ dataDir: join(tmp.path, "issuer"), host: "127.0.0.1", port: 0, trustDomain: TD, env: { TESSERA_BUNDLE_REFRESH_HINT: "1", TESSERA_LOG_LEVEL: "ERROR" } });
    await createBot(dev.runtime.admin, { name: "interop", allowedSpiffeIds: [`spiffe://${TD}/interop/*`] }, "test");
    const { token } = await createJoinToken(dev.runtime.admin, { botName: "interop" }, "test");
    const config = parseAgentConfig(`version: v1
issuer: ${dev.url}
trust_domain: ${TD}
onboarding: { join_method: token, token: ${token} }
services:
  - type: workload-identity-api
    listen: unix://${socketPath}
    identities:
      - { spiffe_id: ${WEB}, selectors: ["unix:uid:${process.getuid!()}"], ttl: 8s }
`);
    agent = await startAgent({ config, logger: createAgentLogger({ format: "json", level: "error" }), bundleRefreshMs: 1000 });
    await agent.manager.ready(30_000);
  });

  after(async () => {
    for (const c of running) c.kill();
    await agent?.stop();
    await dev?.stop();
    await tmp?.remove();
  });

  for (const [name, command, base] of clients) {
    it(`${name} fetches and verifies the agent's X.509-SVID and validates a JWT-SVID`, async () => {
      const client = startClient(command, [...base, "--expect-spiffe-id", WEB, "--audience", "orders"], socketPath);
      running.push(client);
      const { code, stderr } = await client.exited;
      assert.equal(code, 0, `${JSON.stringify(client.events)}\n${stderr}`);
      assert.equal(client.events.find((e) => e.event === "x509")?.spiffe_id, WEB);
      assert.equal(client.events.find((e) => e.event === "x509")?.key_matches, true);
      assert.equal(client.events.find((e) => e.event === "jwt")?.validated_both, true);
    });
  }

  it("both clients' watchers follow the agent's renewal and a CA added at the issuer", async () => {
    const watchers = clients.map(([, command, base]) => startClient(command, [...base, "--expect-spiffe-id", WEB, "--updates", "2"], socketPath));
    running.push(...watchers);
    const first = await Promise.all(watchers.map((w) => w.waitFor((e) => e.event === "watching" || failed(e))));
    for (const e of first) assert.notEqual(e.event, "error", JSON.stringify(e));

    await addPreparedCa(dev.runtime);

    for (const w of watchers) {
      const { code, stderr } = await w.exited;
      assert.equal(code, 0, `${JSON.stringify(w.events)}\n${stderr}`);
      const updates = w.events.filter((e) => e.event === "update");
      assert.equal(updates.length, 2);
      assert.ok(updates.some((u) => u.bundle_size === 2), JSON.stringify(updates));
    }
  });
});
