import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAgentConfig } from "../../agent/config/index.js";
import { createAgentLogger } from "../../agent/logger.js";
import { startAgent, type RunningAgent } from "../../agent/run-agent.js";
import { WorkloadApiClient } from "../../cli/commands/workload-api-client.js";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { parseCertificates, parseCrl, parseSpiffeBundle, verifyX509Svid } from "#tessera/core";
import { createBot, createJoinToken, revokeSvids } from "#tessera/issuer";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

const TD = "example.org";
const ID = `spiffe://${TD}/agent/revocable`;

interface X509Response {
  svids: { spiffe_id: string; x509_svid: Buffer }[];
}

const lines: string[] = [];
const logger = createAgentLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });
const leafOf = (m: X509Response) => parseCertificates(new Uint8Array(m.svids[0]!.x509_svid));
const serialOf = (m: X509Response) => new X509Certificate(Buffer.from(leafOf(m)[0]!)).serialNumber.toLowerCase();

describe("the agent honours revocations from a real issuer", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  let agent: RunningAgent;
  let client: WorkloadApiClient;

  before(async () => {
    tmp = await makeTempDir("agent-revocation");
    dev = await startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: 0,
      trustDomain: TD,
      env: { TESSERA_LOG_LEVEL: "ERROR" },
    });
    await createBot(dev.runtime.admin, { name: "agent", allowedSpiffeIds: [`spiffe://${TD}/agent/*`] }, "test");
    const token = (await createJoinToken(dev.runtime.admin, { botName: "agent" }, "test")).token;
    const socketPath = join(tmp.path, "run", "api.sock");
    const config = parseAgentConfig(
      `version: v1
issuer: ${dev.url}
trust_domain: ${TD}
revocation_interval: 1s
onboarding:
  join_method: token
  token: ${token}
services:
  - type: workload-identity-api
    listen: unix://${socketPath}
    identities:
      - spiffe_id: ${ID}
        selectors: ["unix:uid:${process.getuid!()}"]
        ttl: 1h
`,
      { baseDir: tmp.path },
    );
    assert.equal(config.revocationIntervalSeconds, 1);
    agent = await startAgent({ config, logger });
    await agent.manager.ready(30_000);
    client = new WorkloadApiClient(socketPath);
  });
  after(async () => {
    client?.close();
    await agent?.stop();
    await dev?.stop();
    await tmp?.remove();
  });

  it("drops a revoked X.509-SVID and streams a new one (new serial, new key) to a watcher", async () => {
    const seen: X509Response[] = [];
    const stream = client.watch<X509Response>(
      "FetchX509SVID",
      (m) => seen.push(m),
      () => undefined,
    );
    try {
      const first = await waitFor("the first SVID", () => seen[0]);
      const revoked = serialOf(first);
      const result = await revokeSvids(dev.runtime.revocation, { serial: revoked, reason: "keyCompromise" }, "test");
      assert.equal(result.revoked.length, 1);
      const next = await waitFor("a new SVID on the stream", () => seen.find((m) => serialOf(m) !== revoked));
      const bundle = parseSpiffeBundle(await (await fetch(`${dev.url}/v1/bundle`)).text(), dev.runtime.config.trustDomain);
      assert.equal(verifyX509Svid(leafOf(next), bundle).spiffeId.toString(), ID);
      const oldKey = new X509Certificate(Buffer.from(leafOf(first)[0]!)).publicKey.export({ format: "der", type: "spki" });
      const newKey = new X509Certificate(Buffer.from(leafOf(next)[0]!)).publicKey.export({ format: "der", type: "spki" });
      assert.ok(!oldKey.equals(newKey), "a new key, not the revoked one");
      const crl = (await (await fetch(`${dev.url}/v1/revocations`)).json()) as { crls: { crl: string }[] };
      const listed = parseCrl(Buffer.from(crl.crls[0]!.crl, "base64")).revoked.map((r) => r.serialNumber);
      assert.ok(listed.includes(revoked) && !listed.includes(serialOf(next)));
      assert.ok(lines.some((l) => l.includes("X.509-SVID revoked by the issuer")));
    } finally {
      stream.cancel();
    }
  });

  it("ValidateJWTSVID refuses a revoked JWT-SVID while it lives, and FetchJWTSVID hands out a new one", async () => {
    const fetchJwt = async () =>
      (await client.unary<{ svids: { svid: string }[] }>("FetchJWTSVID", { audience: ["db"], spiffe_id: "" })).svids[0]!.svid;
    const token = await fetchJwt();
    const validated = await client.unary<{ spiffe_id: string }>("ValidateJWTSVID", { audience: "db", svid: token });
    assert.equal(validated.spiffe_id, ID);
    const jti = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).jti as string;
    await revokeSvids(dev.runtime.revocation, { jti }, "test");
    const refusal = await waitFor("ValidateJWTSVID to refuse the revoked token", async () => {
      try {
        await client.unary("ValidateJWTSVID", { audience: "db", svid: token });
        return undefined;
      } catch (err) {
        return err as { code: number; details: string };
      }
    });
    assert.equal(refusal.code, 3);
    assert.match(refusal.details, /revoked/);
    const fresh = await fetchJwt();
    assert.notEqual(fresh, token);
    assert.equal((await client.unary<{ spiffe_id: string }>("ValidateJWTSVID", { audience: "db", svid: fresh })).spiffe_id, ID);
  });
});
