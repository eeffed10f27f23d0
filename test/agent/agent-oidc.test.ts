import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAgentConfig } from "../../agent/config/index.js";
import { createAgentLogger } from "../../agent/logger.js";
import { runOneshot } from "../../agent/run-agent.js";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { githubClaims, LocalIssuer, OIDC_AUDIENCE } from "#tessera/test-support";
import { createBot } from "#tessera/issuer";
import { makeTempDir } from "../support/temp-dir.js";

const TD = "example.org";
const lines: string[] = [];
const logger = createAgentLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });

describe("the agent joining with an OIDC token", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  let issuer: LocalIssuer;

  before(async () => {
    tmp = await makeTempDir("agent-oidc");
    issuer = await LocalIssuer.start();
    dev = await startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: 0,
      trustDomain: TD,
      env: { TESSERA_LOG_LEVEL: "ERROR", TESSERA_JOIN_ALLOW_HTTP_LOOPBACK: "true" },
    });
    await createBot(
      dev.runtime.admin,
      {
        name: "ci",
        allowedSpiffeIds: [`spiffe://${TD}/gh/{{repository_owner}}/{{repository_name}}`],
        joinRules: [{ method: "oidc", preset: "github", issuer: issuer.url, audience: OIDC_AUDIENCE, claims: { repository: "acme/app" } }],
      },
      "test",
    );
  });
  after(async () => {
    await dev?.stop();
    await issuer?.close();
    await tmp?.remove();
  });

  it("oneshot joins with the token file and writes an SVID from the bot's template", async () => {
    const tokenFile = join(tmp.path, "oidc-token");
    await writeFile(tokenFile, `${await issuer.sign(githubClaims())}\n`);
    const out = join(tmp.path, "out");
    const config = parseAgentConfig(
      `version: v1
issuer: ${dev.url}
trust_domain: ${TD}
onboarding: { join_method: oidc, bot_name: ci, token_file: ${tokenFile} }
services:
  - { type: workload-identity-x509, spiffe_id: spiffe://${TD}/gh/acme/app, destination: ${out} }
`,
    );
    await runOneshot({ config, logger }, 20_000);
    assert.ok(new X509Certificate(readFileSync(join(out, "svid.pem"))).subjectAltName?.includes(`spiffe://${TD}/gh/acme/app`));
    assert.ok(!lines.join("\n").includes(readFileSync(tokenFile, "utf8").trim()), "the token is never logged");
  });
});
