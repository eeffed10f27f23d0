// go-spiffe v2 and py-spiffe against the real agent: joined to a real dev issuer, serving the
// Workload API on its socket with unix attestation. The clients fetch, verify and validate, then
// their watchers follow an SVID renewal done by the agent and a CA added at the issuer.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { DevServer } from "../../cli/dev/run-dev.js";
import { addPreparedCa } from "../support/add-prepared-ca.js";
import { startClient, type ClientEvent, type ClientProcess } from "./client-process.js";
import { startInteropAgent, type InteropAgent } from "./interop-agent.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const TD = "example.org";
const WEB = `spiffe://${TD}/interop/web`;
const clients: [string, string, string[]][] = [
  ["go-spiffe", join(root, "build/interop/go-workload-client"), []],
  ["py-spiffe", join(root, "build/interop/venv/bin/python"), [join(root, "test/interop/python/workload_client.py")]],
];
const failed = (e: ClientEvent) => e.event === "error";

describe("interoperability with the real agent: go-spiffe and py-spiffe", () => {
  let running: InteropAgent | undefined;
  let dev: DevServer;
  let socketPath: string;
  const clientProcesses: ClientProcess[] = [];

  before(async () => {
    const setup = spawnSync(process.execPath, [join(root, "scripts/interop-setup.mjs")], {
      stdio: "inherit",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    assert.equal(setup.status, 0, "scripts/interop-setup.mjs failed");
    running = await startInteropAgent({ name: "interop", trustDomain: TD, spiffeId: WEB, issuerEnv: { TESSERA_BUNDLE_REFRESH_HINT: "1" } });
    ({ dev, socketPath } = running);
  });

  after(async () => {
    for (const c of clientProcesses) c.kill();
    await running?.stop();
  });

  for (const [name, command, base] of clients) {
    it(`${name} fetches and verifies the agent's X.509-SVID and validates a JWT-SVID`, async () => {
      const client = startClient(command, [...base, "--expect-spiffe-id", WEB, "--audience", "orders"], socketPath);
      clientProcesses.push(client);
      const { code, stderr } = await client.exited;
      assert.equal(code, 0, `${JSON.stringify(client.events)}\n${stderr}`);
      assert.equal(client.events.find((e) => e.event === "x509")?.spiffe_id, WEB);
      assert.equal(client.events.find((e) => e.event === "x509")?.key_matches, true);
      assert.equal(client.events.find((e) => e.event === "jwt")?.validated_both, true);
    });
  }

  it("both clients' watchers follow the agent's renewal and a CA added at the issuer", async () => {
    const watchers = clients.map(([, command, base]) =>
      startClient(command, [...base, "--expect-spiffe-id", WEB, "--updates", "2"], socketPath),
    );
    clientProcesses.push(...watchers);
    const first = await Promise.all(watchers.map((w) => w.waitFor((e) => e.event === "watching" || failed(e))));
    for (const e of first) assert.notEqual(e.event, "error", JSON.stringify(e));

    await addPreparedCa(dev.runtime);

    for (const w of watchers) {
      const { code, stderr } = await w.exited;
      assert.equal(code, 0, `${JSON.stringify(w.events)}\n${stderr}`);
      const updates = w.events.filter((e) => e.event === "update");
      assert.equal(updates.length, 2);
      assert.ok(
        updates.some((u) => u.bundle_size === 2),
        JSON.stringify(updates),
      );
    }
  });
});
