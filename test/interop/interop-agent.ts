// A real dev issuer and a real agent joined to it, serving the Workload API on a socket in a fresh
// temporary directory with one identity for this test's uid (an 8 s TTL unless told otherwise, so a
// watch sees a renewal within seconds). What the interoperability tests run clients against.
import { join } from "node:path";
import { parseAgentConfig } from "../../agent/config/index.js";
import { createAgentLogger } from "../../agent/logger.js";
import { startAgent, type RunningAgent } from "../../agent/run-agent.js";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { createBot, createJoinToken } from "#tessera/issuer";
import { makeTempDir } from "../support/temp-dir.js";

/** A running issuer and agent, and the agent's socket. */
export interface InteropAgent {
  dev: DevServer;
  agent: RunningAgent;
  socketPath: string;
  stop(): Promise<void>;
}

/** Start the issuer (trust domain `trustDomain`) and an agent serving `spiffeId` to this process's uid. */
export async function startInteropAgent(options: {
  name: string;
  trustDomain: string;
  spiffeId: string;
  issuerEnv?: Record<string, string>;
  /** The identity's TTL; default 8s. */
  ttl?: string;
}): Promise<InteropAgent> {
  const { name, trustDomain, spiffeId } = options;
  const tmp = await makeTempDir(name);
  const socketPath = join(tmp.path, "run", "api.sock");
  const dev = await startDevServer({
    dataDir: join(tmp.path, "issuer"),
    host: "127.0.0.1",
    port: 0,
    trustDomain,
    env: { TESSERA_LOG_LEVEL: "ERROR", ...options.issuerEnv },
  });
  await createBot(dev.runtime.admin, { name, allowedSpiffeIds: [`spiffe://${trustDomain}/interop/*`] }, "test");
  const { token } = await createJoinToken(dev.runtime.admin, { botName: name }, "test");
  const config = parseAgentConfig(`version: v1
issuer: ${dev.url}
trust_domain: ${trustDomain}
onboarding: { join_method: token, token: ${token} }
services:
  - type: workload-identity-api
    listen: unix://${socketPath}
    identities:
      - { spiffe_id: ${spiffeId}, selectors: ["unix:uid:${process.getuid!()}"], ttl: ${options.ttl ?? "8s"} }
`);
  const agent = await startAgent({ config, logger: createAgentLogger({ format: "json", level: "error" }), bundleRefreshMs: 1000 });
  await agent.manager.ready(30_000);
  return {
    dev,
    agent,
    socketPath,
    async stop() {
      await agent.stop();
      await dev.stop();
      await tmp.remove();
    },
  };
}
