// The SPIRE side: spire-server (SQLite datastore, disk key manager, join_token node attestation) on
// loopback, and spire-agent (disk key manager, so a restart keeps its SVID; unix workload attestor)
// joined with a token, with one registration entry for the bench client's uid. The load client
// mints over the server's local API socket, which SPIRE treats as admin.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "../../test/support/free-port.js";
import { pprofRecorder } from "./cpu-profiles.js";
import { run, startProcess, stopOnFailure } from "./processes.js";
import { WORKLOAD_ID, assembleStack, timeStart, type Stack } from "./stack.js";

const NODE_ID = "spiffe://example.org/bench/node";

/** The `profiling_enabled` / `profiling_port` lines of a `server` or `agent` block (net/http/pprof on localhost). */
function profilingLines(port: number | undefined): string {
  return port === undefined ? "" : `  profiling_enabled = true\n  profiling_port = ${port}\n`;
}

function serverConfig(dir: string, port: number, healthPort: number, profilingPort?: number): string {
  return `server {
  bind_address = "127.0.0.1"
  bind_port = "${port}"
  socket_path = "${join(dir, "server.sock")}"
  trust_domain = "example.org"
  data_dir = "${join(dir, "server-data")}"
  log_level = "INFO"
${profilingLines(profilingPort)}}
plugins {
  DataStore "sql" {
    plugin_data {
      database_type = "sqlite3"
      connection_string = "${join(dir, "server-data", "datastore.sqlite3")}"
    }
  }
  KeyManager "disk" {
    plugin_data { keys_path = "${join(dir, "server-data", "keys.json")}" }
  }
  NodeAttestor "join_token" {
    plugin_data {}
  }
}
health_checks {
  listener_enabled = true
  bind_address = "127.0.0.1"
  bind_port = "${healthPort}"
  live_path = "/live"
  ready_path = "/ready"
}
`;
}

function agentConfig(dir: string, serverPort: number, profilingPort?: number): string {
  return `agent {
  data_dir = "${join(dir, "agent-data")}"
  log_level = "INFO"
  server_address = "127.0.0.1"
  server_port = "${serverPort}"
  socket_path = "${join(dir, "agent.sock")}"
  trust_bundle_path = "${join(dir, "bundle.pem")}"
  trust_domain = "example.org"
${profilingLines(profilingPort)}}
plugins {
  NodeAttestor "join_token" {
    plugin_data {}
  }
  KeyManager "disk" {
    plugin_data { directory = "${join(dir, "agent-data")}" }
  }
  WorkloadAttestor "unix" {
    plugin_data {}
  }
}
`;
}

/**
 * Start SPIRE's server and agent in dir with the binaries built by bench/spire/setup.ts. With
 * profile (`--profile`), both serve net/http/pprof on a loopback port (which also turns on gRPC's
 * request tracing: SPIRE sets grpc.EnableTracing whenever profiling_port is set).
 */
export async function startSpireStack(
  dir: string,
  binaries: { spireServer: string; spireAgent: string; client: string },
  profile = false,
): Promise<Stack> {
  const { spireServer, spireAgent, client } = binaries;
  await mkdir(join(dir, "server-data"), { recursive: true, mode: 0o700 });
  await mkdir(join(dir, "agent-data"), { recursive: true, mode: 0o700 });
  const port = await freePort();
  const ready = `http://127.0.0.1:${await freePort()}/ready`;
  const serverConf = join(dir, "server.conf");
  const agentConf = join(dir, "agent.conf");
  const serverSocket = join(dir, "server.sock");
  const socket = `unix://${join(dir, "agent.sock")}`;
  const profilingPorts = profile ? { issuer: await freePort(), agent: await freePort() } : undefined;
  await writeFile(serverConf, serverConfig(dir, port, Number(new URL(ready).port), profilingPorts?.issuer));
  await writeFile(agentConf, agentConfig(dir, port, profilingPorts?.agent));

  const startServer = () => startProcess(spireServer, ["run", "-config", serverConf], join(dir, "server.log"));
  const server = (await timeStart(client, startServer, "first-200", ready)).running;
  return stopOnFailure(server, async () => {
    const admin = (...args: string[]) => run(spireServer, [...args, "-socketPath", serverSocket]);
    await writeFile(join(dir, "bundle.pem"), await admin("bundle", "show"));
    const token = /^Token: (\S+)$/m.exec(await admin("token", "generate", "-spiffeID", NODE_ID))?.[1];
    if (!token) throw new Error("bench: spire-server token generate printed no token");
    await admin("entry", "create", "-parentID", NODE_ID, "-spiffeID", WORKLOAD_ID, "-selector", `unix:uid:${process.getuid!()}`);

    const startAgent = (joinToken?: string) => () =>
      startProcess(spireAgent, ["run", "-config", agentConf, ...(joinToken ? ["-joinToken", joinToken] : [])], join(dir, "agent.log"));
    const agent = (await timeStart(client, startAgent(token), "first-fetch", socket)).running;

    return assembleStack({
      name: "SPIRE",
      socket,
      client,
      issuerReady: ready,
      startIssuer: startServer,
      startAgent: startAgent(),
      issueFlags: ["-target", "spire", "-socket", serverSocket],
      issuer: server,
      agent,
      ...(profilingPorts && { recorder: (role: "issuer" | "agent", pid: number) => pprofRecorder(pid, profilingPorts[role]) }),
    });
  });
}
