// Emergency rotation end to end: the real `tessera dev` issuer, the real agent (an hour-long SVID, so
// any new SVID within the test is an early renewal) and a go-spiffe watcher on the agent's socket.
// The admin API's emergency rotation removes the compromised CA; the watcher receives the new bundle
// and a new SVID from the new CA that verifies with go-spiffe, and openssl refuses the old SVID
// against the new bundle.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeCertificatePem, parseSpiffeBundle, TrustDomain } from "#tessera/core";
import { opensslVerify } from "../support/openssl.js";
import { makeTempDir } from "../support/temp-dir.js";
import { startClient, type ClientProcess } from "./client-process.js";
import { startInteropAgent, type InteropAgent } from "./interop-agent.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const TD = "example.org";
const WEB = `spiffe://${TD}/interop/emergency`;
const WANT = { spiffeId: WEB, dnsNames: [] as string[], ttlSeconds: 3600 };

describe("emergency rotation end to end: tessera dev, the agent, a go-spiffe watcher", () => {
  let running: InteropAgent | undefined;
  let watcher: ClientProcess | undefined;
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;

  before(async () => {
    const setup = spawnSync(process.execPath, [join(root, "scripts/interop-setup.mjs")], {
      stdio: "inherit",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    assert.equal(setup.status, 0, "scripts/interop-setup.mjs failed");
    tmp = await makeTempDir("emergency-interop");
    running = await startInteropAgent({
      name: "emergency",
      trustDomain: TD,
      spiffeId: WEB,
      ttl: "1h",
      issuerEnv: { TESSERA_BUNDLE_REFRESH_HINT: "1" },
    });
  });

  after(async () => {
    watcher?.kill();
    await running?.stop();
    await tmp?.remove();
  });

  it("removes the compromised CA; the watcher gets the new bundle and a new SVID from the new CA; the old SVID no longer verifies", async () => {
    const { dev, agent, socketPath } = running!;
    const bundleUrl = `${dev.url}/v1/bundle`;
    const bundleNow = async () => parseSpiffeBundle(await (await fetch(bundleUrl)).text(), TrustDomain.fromString(TD));
    const oldSvid = agent.manager.x509(WANT)!;
    assert.ok(oldSvid, "the agent holds the SVID");
    const [compromisedCa] = (await bundleNow()).x509Authorities;

    watcher = startClient(
      join(root, "build/interop/go-workload-client"),
      ["--expect-spiffe-id", WEB, "--updates", "1", "--allow-unverified", "--timeout", "40s"],
      socketPath,
    );
    const first = await watcher.waitFor((e) => e.event === "watching" || e.event === "error");
    assert.equal(first.event, "watching", JSON.stringify(first));
    assert.equal(first.bundle_size, 1);

    const adminToken = (await readFile(dev.adminTokenPath, "utf8")).trim();
    const started = Date.now();
    const res = await fetch(`${dev.url}/v1/admin/ca/rotate`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ emergency: true, kind: "x509", reason: "interop test: CA key exposed" }),
    });
    assert.equal(res.status, 200, await res.text());

    const newBundle = await bundleNow();
    assert.equal(newBundle.x509Authorities.length, 1, "only the new CA is published");
    const newCa = new X509Certificate(newBundle.x509Authorities[0]!);
    assert.ok(!Buffer.from(newBundle.x509Authorities[0]!).equals(Buffer.from(compromisedCa!)), "the compromised CA is gone");

    const { code, stderr } = await watcher.exited;
    const seconds = (Date.now() - started) / 1000;
    assert.equal(code, 0, `${JSON.stringify(watcher.events)}\n${stderr}`);
    const update = watcher.events.find((e) => e.event === "update")!;
    assert.equal(update.bundle_size, 1, "the watcher's bundle holds the new CA only");
    assert.notEqual(update.serial, first.serial, "a new SVID, verified by go-spiffe against the new bundle");
    // Between the two, the agent may push the new bundle with the old SVID: go-spiffe refuses that pair.
    for (const e of watcher.events.filter((e) => e.event === "unverified_update")) assert.equal(e.serial, first.serial);
    console.log(
      `emergency rotation: the go-spiffe watcher had a new SVID from the new CA ${seconds.toFixed(1)} s after the admin call (agent bundle refresh 1 s)`,
    );

    const renewed = agent.manager.x509(WANT)!;
    assert.ok(new X509Certificate(Buffer.from(renewed.certificates[0]!)).verify(newCa.publicKey), "the agent's SVID comes from the new CA");
    const newCaPem = encodeCertificatePem(newBundle.x509Authorities[0]!);
    assert.match(opensslVerify(tmp.path, newCaPem, encodeCertificatePem(renewed.certificates[0]!)), /OK/);
    assert.throws(
      () => opensslVerify(tmp.path, newCaPem, encodeCertificatePem(oldSvid.certificates[0]!)),
      "openssl refuses the old CA's SVID against the new bundle",
    );
  });
});
