import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAgentConfig } from "../../agent/config/index.js";
import { fetchGceIdentityToken } from "../../agent/gce-identity-token.js";
import { createAgentLogger } from "../../agent/logger.js";
import { runOneshot } from "../../agent/run-agent.js";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { startGoogle } from "#tessera/test-support";
import type { LocalIssuer } from "#tessera/test-support";
import { createBot } from "#tessera/issuer";
import { startGceMetadataServer, type GceMetadataServer } from "../support/gce-metadata-server.js";
import { makeTempDir } from "../support/temp-dir.js";

const TD = "example.org";
const ID = `spiffe://${TD}/gcp/acme-prod/web-1`;
const lines: string[] = [];
const logger = createAgentLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });

describe("the agent joining with a GCE instance identity token from the metadata server", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  let google: LocalIssuer;
  let gce: GceMetadataServer;
  const config = (out: string, extra = "") =>
    parseAgentConfig(`version: v1
issuer: ${dev.url}
trust_domain: ${TD}
onboarding: { join_method: gcp, bot_name: vm, metadata_endpoint: "${gce.url}"${extra} }
services:
  - { type: workload-identity-x509, spiffe_id: ${ID}, destination: ${out} }
`);

  before(async () => {
    tmp = await makeTempDir("agent-gcp");
    google = await startGoogle();
    gce = await startGceMetadataServer(google);
    dev = await startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: 0,
      trustDomain: TD,
      env: { TESSERA_LOG_LEVEL: "ERROR", TESSERA_JOIN_ALLOW_HTTP_LOOPBACK: "true", TESSERA_GCP_KEYS_URL: `${google.url}/jwks` },
    });
    await createBot(
      dev.runtime.admin,
      {
        name: "vm",
        allowedSpiffeIds: [`spiffe://${TD}/gcp/{{project_id}}/{{instance_name}}`],
        joinRules: [{ method: "gcp", claims: { project_id: "acme-prod" } }],
      },
      "test",
    );
  });
  after(async () => {
    await dev?.stop();
    await gce?.close();
    await google?.close();
    await tmp?.remove();
  });

  it("oneshot asks the metadata server for a full token for spiffe://<trust domain>, joins, and writes the SVID from the bot's template", async () => {
    gce.requests.length = 0;
    const out = join(tmp.path, "out");
    await runOneshot({ config: config(out), logger }, 20_000);
    assert.ok(new X509Certificate(readFileSync(join(out, "svid.pem"))).subjectAltName?.includes(ID));
    assert.equal(gce.requests.length, 1);
    const asked = new URL(gce.requests[0]?.split(" ")[1] as string, gce.url);
    assert.equal(asked.pathname, "/computeMetadata/v1/instance/service-accounts/default/identity");
    assert.equal(asked.searchParams.get("audience"), `spiffe://${TD}`);
    assert.equal(asked.searchParams.get("format"), "full");
    assert.ok(!lines.some((l) => l.includes("eyJ")), "no token is logged");
  });

  it("fails to join with a token for another token_audience (ERR_JOIN_PROOF_INVALID)", async () => {
    await assert.rejects(
      runOneshot({ config: config(join(tmp.path, "other"), ", token_audience: https://elsewhere.example"), logger }, 20_000),
      /ERR_JOIN_PROOF_INVALID/,
    );
  });

  it("refuses an answer without Metadata-Flavor: Google (not the metadata server), and asks with that header", async () => {
    let seenFlavor: string | undefined;
    const impostor = createServer((req, res) => {
      seenFlavor = req.headers["metadata-flavor"] as string | undefined;
      res.writeHead(200, { "content-type": "text/plain" }).end("eyJhbGciOiJub25lIn0.e30.");
    });
    await new Promise<void>((resolve) => impostor.listen(0, "127.0.0.1", resolve));
    try {
      await assert.rejects(
        fetchGceIdentityToken(`spiffe://${TD}`, `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`),
        /Metadata-Flavor/,
      );
      assert.equal(seenFlavor, "Google");
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
  });
});
