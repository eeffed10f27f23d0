// Clients nobody at Tessera wrote, go-spiffe v2 and py-spiffe, against the agent's Workload API
// server holding real certificates and JWTs from Tessera's library: they fetch, verify and
// validate everything, then follow an SVID renewal and a CA added to the bundle.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { attestUnix, readPeerCredentials } from "../../agent/attestation/index.js";
import { startWorkloadApiServer, type WorkloadApiServer } from "../../agent/workloadapi/index.js";
import { createTestPki, TestSource, type TestPki } from "../../agent/workloadapi/test-support.js";
import type { CallerIdentity } from "../../agent/workloadapi/types.js";
import { makeTempDir } from "../support/temp-dir.js";
import { startClient, type ClientEvent, type ClientProcess } from "./client-process.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const GO_CLIENT = join(root, "build/interop/go-workload-client");
const PYTHON = join(root, "build/interop/venv/bin/python");
const PYTHON_CLIENT = join(root, "test/interop/python/workload_client.py");
const WEB = "spiffe://example.org/web";
const UID = process.getuid!();
const addonBuilt = existsSync(join(root, "agent/native/build/Release/peercred.node"));

/** The real Unix attestation when the addon is built; otherwise every caller is this process's uid. */
async function attest(socket: Socket): Promise<CallerIdentity> {
  if (!addonBuilt) return { pid: 0, uid: UID, gid: UID, selectors: new Set([`unix:uid:${UID}`]) };
  const creds = readPeerCredentials(socket);
  return { pid: creds.pid, uid: creds.uid, gid: creds.gid, selectors: await attestUnix(creds, { sha256: false }) };
}

const clients: [name: string, command: () => [string, string[]]][] = [
  ["go-spiffe", () => [GO_CLIENT, []]],
  ["py-spiffe", () => [PYTHON, [PYTHON_CLIENT]]],
];

function byEvent(name: string): (e: ClientEvent) => boolean {
  return (e) => e.event === name || e.event === "error";
}

function assertNoError(event: ClientEvent): void {
  assert.notEqual(event.event, "error", JSON.stringify(event));
}

describe("Workload API interoperability: go-spiffe and py-spiffe", () => {
  let temp: { path: string; remove(): Promise<void> };
  let pki: TestPki;
  let source: TestSource;
  let server: WorkloadApiServer;
  let socketPath: string;
  let serial: string;
  const running: ClientProcess[] = [];

  before(async () => {
    const setup = spawnSync(process.execPath, [join(root, "scripts/interop-setup.mjs")], {
      stdio: "inherit",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    assert.equal(setup.status, 0, "scripts/interop-setup.mjs failed");
    temp = await makeTempDir("interop");
    pki = await createTestPki(temp.path);
    source = TestSource.forPki(pki);
    const svid = await pki.issueSvid(WEB);
    serial = svid.serialNumber;
    source.grants.push({ selector: `unix:uid:${UID}`, svid });
    socketPath = join(temp.path, "agent", "api.sock");
    server = await startWorkloadApiServer({ socketPath, source, attest });
  });

  after(async () => {
    for (const c of running) c.kill();
    await server?.close();
    await temp?.remove();
  });

  function run(name: string, args: string[]): ClientProcess {
    const [command, base] = clients.find(([n]) => n === name)![1]();
    const process = startClient(command, [...base, ...args], socketPath);
    running.push(process);
    return process;
  }

  for (const [name] of clients) {
    it(`${name} fetches and verifies the X.509-SVID and validates a JWT-SVID both ways`, async () => {
      const client = run(name, ["--expect-spiffe-id", WEB, "--audience", "orders"]);
      const { code, stderr } = await client.exited;
      assert.equal(code, 0, `${JSON.stringify(client.events)}\n${stderr}`);
      const x509 = client.events.find((e) => e.event === "x509")!;
      assert.equal(x509.spiffe_id, WEB);
      assert.equal(BigInt(`0x${x509.serial}`), BigInt(`0x${serial}`));
      assert.equal(x509.bundle_size, 1);
      assert.equal(x509.key_matches, true);
      assert.equal(client.events.find((e) => e.event === "x509_bundles")!.bundle_size, 1);
      const jwt = client.events.find((e) => e.event === "jwt")!;
      assert.equal(jwt.spiffe_id, WEB);
      assert.equal(jwt.validated_both, true);
      assert.ok(client.events.some((e) => e.event === "done"));
    });
  }

  it("both clients refuse an SVID that the served bundle did not sign (the checks above can fail)", async () => {
    const impostor = await createTestPki(join(temp.path, "impostor"));
    const badSource = TestSource.forPki(impostor);
    badSource.grants.push({ selector: `unix:uid:${UID}`, svid: await pki.issueSvid(WEB) });
    const badSocket = join(temp.path, "bad", "api.sock");
    const bad = await startWorkloadApiServer({ socketPath: badSocket, source: badSource, attest });
    try {
      for (const [name, command] of clients) {
        const [cmd, base] = command();
        const client = startClient(cmd, [...base, "--expect-spiffe-id", WEB], badSocket);
        running.push(client);
        const { code } = await client.exited;
        assert.equal(code, 1, name);
        const error = client.events.find((e) => e.event === "error");
        assert.match(String(error?.step), /verify/i, `${name}: ${JSON.stringify(client.events)}`);
      }
    } finally {
      await bad.close();
    }
  });

  it("both clients' watchers see a renewal and a new CA, and still verify", async () => {
    const watchers = clients.map(([name]) => run(name, ["--expect-spiffe-id", WEB, "--updates", "2"]));
    for (const w of watchers) assertNoError(await w.waitFor(byEvent("watching")));

    // Renewal: a new leaf for the same identity.
    const renewed = await pki.issueSvid(WEB);
    source.grants[0] = { selector: `unix:uid:${UID}`, svid: renewed };
    source.notify();
    for (const w of watchers) {
      const update = await w.waitFor((e) => (e.event === "update" && e.update === 1) || e.event === "error");
      assertNoError(update);
      assert.equal(BigInt(`0x${update.serial}`), BigInt(`0x${renewed.serialNumber}`));
      assert.equal(update.bundle_size, 1);
    }

    // Bundle change: a second CA (a rotation's prepared CA) joins the bundle.
    await pki.addCa();
    source.x509Bundles.set("example.org", [...pki.x509Authorities]);
    source.notify();
    for (const w of watchers) {
      const update = await w.waitFor((e) => (e.event === "update" && e.update === 2) || e.event === "error");
      assertNoError(update);
      assert.equal(update.bundle_size, 2);
      assert.equal(BigInt(`0x${update.serial}`), BigInt(`0x${renewed.serialNumber}`));
      const { code, stderr } = await w.exited;
      assert.equal(code, 0, stderr);
    }
  });
});
