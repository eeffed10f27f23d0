import { X509Certificate } from "node:crypto";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { AgentFatalError } from "../../agent/agent-fatal-error.js";
import { DEFAULT_CONFIG_PATH, DEFAULT_SOCKET, loadAgentConfig, type AgentConfig } from "../../agent/config/index.js";
import { createAgentLogger, parseLogLevel } from "../../agent/logger.js";
import { runOneshot, startAgent } from "../../agent/run-agent.js";
import { growYoungGenerationFaster } from "../../agent/young-generation.js";
import { parseCertificates, parseDurationSeconds, writeX509SvidFiles } from "#tessera/core";
import { UsageError, formatFields, formatTable, helpAsked, type CliIo } from "../output.js";
import { AGENT_AWS_USAGE, runAgentAwsCommand } from "./agent-aws-command.js";

interface X509SvidMessage {
  spiffe_id: string;
  x509_svid: Buffer;
  x509_svid_key: Buffer;
  bundle: Buffer;
  hint: string;
}

/** `tessera agent` exits 3 when the issuer refused it for good: a restart cannot help. */
const EXIT_REFUSED = 3;

const USAGE = `usage:
  tessera agent [start] [-c FILE] [--oneshot [--timeout 60s]] [--diag-addr HOST:PORT] [--log-format text|json] [--log-level LEVEL]
  tessera agent validate [-c FILE]
  tessera agent api fetch x509 [--socket PATH] [--write DIR] [--json]
  tessera agent api fetch jwt --audience A [--audience ...] [--spiffe-id ID] [--socket PATH] [--json]
  tessera agent api validate jwt --audience A --svid TOKEN [--socket PATH] [--json]
  tessera agent api watch [--socket PATH] [--json]
  tessera agent install systemd [-c FILE]
  ${AGENT_AWS_USAGE}

The configuration file comes from -c/--config, then TESSERA_CONFIG_PATH, then ${DEFAULT_CONFIG_PATH}.
The socket comes from --socket, then SPIFFE_ENDPOINT_SOCKET, then ${DEFAULT_SOCKET}.

Exit codes of tessera agent [start]:
  0  oneshot wrote every file output; the daemon stopped on SIGTERM or SIGINT
  1  failure: invalid configuration, or (oneshot) the issuer unreachable or failing until --timeout,
     or a file output not written; the last line names the cause
  2  usage: unknown flag or bad flag value
  3  refused for good: the issuer refused the join token (malformed, unknown, spent) or the
     credential with no token left to join again; give the agent a new join token`;

function describeSvid(svid: X509SvidMessage): Record<string, unknown> {
  const chain = parseCertificates(new Uint8Array(svid.x509_svid));
  const leaf = new X509Certificate(Buffer.from(chain[0] as Uint8Array));
  return {
    spiffe_id: svid.spiffe_id,
    hint: svid.hint || undefined,
    serial: leaf.serialNumber,
    not_after: new Date(leaf.validTo).toISOString(),
    chain_length: chain.length,
    bundle_authorities: parseCertificates(new Uint8Array(svid.bundle)).length,
  };
}

function configPath(flag: string | undefined, io: CliIo): string {
  return flag ?? io.env.TESSERA_CONFIG_PATH ?? DEFAULT_CONFIG_PATH;
}

async function runDaemon(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", short: "c" },
      oneshot: { type: "boolean" },
      "diag-addr": { type: "string" },
      "log-format": { type: "string" },
      "log-level": { type: "string" },
      timeout: { type: "string" },
    },
    strict: true,
  });
  let timeoutMs = 60_000;
  if (values.timeout !== undefined) {
    try {
      timeoutMs = parseDurationSeconds(values.timeout, "--timeout") * 1000;
    } catch {
      throw new UsageError("tessera: --timeout must be a duration such as 30s or 2m");
    }
  }
  const format = values["log-format"] ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError("tessera: --log-format must be text or json");
  let level;
  try {
    level = parseLogLevel(values["log-level"]);
  } catch (err) {
    throw new UsageError(`tessera: ${(err as Error).message}`);
  }
  const logger = createAgentLogger({ format, level, write: (line) => io.err(line) });
  const config = await loadAgentConfig(configPath(values.config, io));
  try {
    if (values.oneshot || config.oneshot) {
      await runOneshot({ config, logger }, timeoutMs);
      logger.info("oneshot: every file output written");
      return 0;
    }
    return await runUntilStopped(config, logger, values["diag-addr"]);
  } catch (err) {
    // The last line names the cause, in the chosen log format.
    const refused = err instanceof AgentFatalError;
    logger.error(`agent stopped: ${(err as Error).message}`, {
      ...(refused ? { code: err.code } : {}),
      exit_code: refused ? EXIT_REFUSED : 1,
    });
    return refused ? EXIT_REFUSED : 1;
  }
}

/** The daemon: serve until SIGTERM or SIGINT (0), or until the issuer refuses the agent for good (throws). */
async function runUntilStopped(
  config: AgentConfig,
  logger: ReturnType<typeof createAgentLogger>,
  diagAddr: string | undefined,
): Promise<number> {
  const agent = await startAgent({ config, logger, ...(diagAddr ? { diagAddr } : {}) });
  // After start-up, so that only bursts of connections (not loading the agent) grow the young generation.
  growYoungGenerationFaster();
  if (agent.diag) logger.info("diagnostics", { url: agent.diag.url });
  const onHup = () => {
    logger.info("SIGHUP: renewing now");
    agent.renewNow().catch((err) => logger.warn("renewal on SIGHUP failed", { error: err }));
  };
  let stop: () => void = () => undefined;
  const signalled = new Promise<void>((resolve) => (stop = resolve));
  process.on("SIGHUP", onHup);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const fatal = await Promise.race([signalled.then(() => undefined), agent.fatal]);
    logger.info("shutting down");
    await agent.stop();
    if (fatal) throw fatal;
    return 0;
  } finally {
    process.off("SIGHUP", onHup);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

async function runApi(argv: string[], io: CliIo): Promise<number> {
  const [verb, what, ...rest] = argv;
  const { values } = parseArgs({
    args: verb === "watch" ? [what, ...rest].filter((a): a is string => a !== undefined) : rest,
    options: {
      socket: { type: "string" },
      write: { type: "string" },
      audience: { type: "string", multiple: true },
      "spiffe-id": { type: "string" },
      svid: { type: "string" },
      json: { type: "boolean" },
      output: { type: "string", short: "o" },
      timeout: { type: "string" },
    },
    strict: true,
  });
  const json = values.json === true || values.output === "json";
  // The gRPC client (grpc-js and the .proto) loads only for `tessera agent api`, never for the agent itself.
  const { WorkloadApiClient, resolveSocket } = await import("./workload-api-client.js");
  const socket = resolveSocket(values.socket, io.env, DEFAULT_SOCKET);
  const client = new WorkloadApiClient(socket);
  const print = (data: unknown, text: () => string) => io.out(json ? JSON.stringify(data, null, 2) : text());
  try {
    if (verb === "fetch" && what === "x509") {
      const res = await client.first<{ svids: X509SvidMessage[] }>("FetchX509SVID");
      const svids = res.svids.map(describeSvid);
      if (values.write) {
        const svid = res.svids[0] as X509SvidMessage;
        await writeX509SvidFiles(values.write, {
          certificates: parseCertificates(new Uint8Array(svid.x509_svid)),
          privateKey: new Uint8Array(svid.x509_svid_key),
          bundle: parseCertificates(new Uint8Array(svid.bundle)),
        });
      }
      print({ svids }, () =>
        formatTable(
          ["SPIFFE ID", "SERIAL", "NOT AFTER", "HINT"],
          svids.map((s) => [s.spiffe_id as string, s.serial as string, s.not_after as string, s.hint as string | undefined]),
        ),
      );
      return 0;
    }
    if (verb === "fetch" && what === "jwt") {
      if (!values.audience?.length) throw new UsageError("tessera: fetch jwt needs --audience");
      const res = await client.unary<{ svids: { spiffe_id: string; svid: string; hint: string }[] }>("FetchJWTSVID", {
        audience: values.audience,
        spiffe_id: values["spiffe-id"] ?? "",
      });
      print({ svids: res.svids.map((s) => ({ spiffe_id: s.spiffe_id, token: s.svid, hint: s.hint || undefined })) }, () =>
        res.svids.map((s) => `${s.spiffe_id}\n${s.svid}`).join("\n\n"),
      );
      return 0;
    }
    if (verb === "validate" && what === "jwt") {
      if (!values.audience?.length || !values.svid) throw new UsageError("tessera: validate jwt needs --audience and --svid");
      const res = await client.unary<{ spiffe_id: string; claims: unknown }>("ValidateJWTSVID", {
        audience: values.audience[0],
        svid: values.svid,
      });
      print(res, () => formatFields({ spiffe_id: res.spiffe_id, valid: true }));
      return 0;
    }
    if (verb === "watch") {
      await new Promise<void>((resolve, reject) => {
        const stream = client.watch<{ svids: X509SvidMessage[] }>(
          "FetchX509SVID",
          (message) => {
            const svids = message.svids.map(describeSvid);
            print(
              { time: new Date().toISOString(), svids },
              () =>
                `${new Date().toISOString()} ${svids.map((s) => `${s.spiffe_id} serial=${s.serial} not_after=${s.not_after}`).join("; ")}`,
            );
          },
          reject,
        );
        const stop = () => {
          stream.cancel();
          resolve();
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      return 0;
    }
    throw new UsageError(`tessera: unknown api command ${JSON.stringify([verb, what].filter(Boolean).join(" "))}\n\n${USAGE}`);
  } finally {
    client.close();
  }
}

/** The `tessera` entry point this CLI runs from (run by `process.execPath` in the unit). */
const TESSERA_BIN = fileURLToPath(new URL("../../bin/tessera.mjs", import.meta.url));

/** A word of a systemd path list, or of a command line (where `$` expands too): quoted when it has to be, escaped. */
function systemdWord(word: string, command = false): string {
  const specifiers = word.replace(/%/g, "%%");
  const escaped = command ? specifiers.replace(/\$/g, "$$$$") : specifiers;
  return /^[A-Za-z0-9_@+=:,./%$-]+$/.test(escaped) ? escaped : `"${escaped.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * The directories the agent writes: storage and each file output's destination (made 0700), and
 * each socket's directory (0755, so workloads can connect). `ProtectSystem=strict` leaves only these
 * and the unit's own state and runtime directories writable; `ExecStartPre` makes them before the
 * sandbox is set up, since systemd refuses a `ReadWritePaths` entry that does not exist.
 */
function writableDirectories(config: AgentConfig): { private: string[]; sockets: string[] } {
  const privateDirs = new Set<string>();
  const sockets = new Set<string>();
  if (config.storageDirectory) privateDirs.add(config.storageDirectory);
  for (const s of config.services) {
    if (s.type === "workload-identity-api") sockets.add(dirname(s.socketPath));
    else privateDirs.add(s.destination);
  }
  return { private: [...privateDirs], sockets: [...sockets] };
}

function systemdUnit(configFile: string, config: AgentConfig): string {
  const dirs = writableDirectories(config);
  const words = (list: string[], command = false) => list.map((w) => systemdWord(w, command)).join(" ");
  const start = words([process.execPath, TESSERA_BIN, "agent", "start", "-c", configFile], true);
  const prepare = [
    ...(dirs.private.length ? [`ExecStartPre=+/bin/mkdir -p -m 0700 ${words(dirs.private, true)}`] : []),
    ...(dirs.sockets.length ? [`ExecStartPre=+/bin/mkdir -p -m 0755 ${words(dirs.sockets, true)}`] : []),
  ].join("\n");
  return `[Unit]
Description=Tessera agent (SPIFFE Workload API)
Documentation=https://github.com/tessera/tessera
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
${prepare}
ExecStart=${start}
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=5
# 3: the issuer refused the join token for good; restarting cannot help.
RestartPreventExitStatus=3
RuntimeDirectory=tessera/agent
RuntimeDirectoryMode=0755
StateDirectory=tessera/agent
StateDirectoryMode=0700
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
ReadWritePaths=${words(["/var/lib/tessera", "/run/tessera", ...dirs.private, ...dirs.sockets])}

[Install]
WantedBy=multi-user.target
`;
}

/** `tessera agent ...`: run the agent, validate its configuration, or talk to its Workload API. */
export async function runAgentCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "help" || helpAsked(argv)) {
    io.out(USAGE);
    return 0;
  }
  if (sub === undefined || sub === "start" || sub.startsWith("-")) return runDaemon(sub === "start" ? rest : argv, io);
  if (sub === "validate") {
    const { values } = parseArgs({
      args: rest,
      options: { config: { type: "string", short: "c" }, json: { type: "boolean" } },
      strict: true,
    });
    const path = configPath(values.config, io);
    const config = await loadAgentConfig(path);
    const summary = {
      config: path,
      issuer: config.issuer,
      trust_domain: config.trustDomain.name,
      services: config.services.map((s) => s.type),
    };
    io.out(values.json ? JSON.stringify({ valid: true, ...summary }, null, 2) : `${path} is valid\n${formatFields(summary)}`);
    return 0;
  }
  if (sub === "api") return runApi(rest, io);
  if (sub === "aws") return runAgentAwsCommand(rest, io, (flag) => configPath(flag, io));
  if (sub === "install" && rest[0] === "systemd") {
    const { values } = parseArgs({ args: rest.slice(1), options: { config: { type: "string", short: "c" } }, strict: true });
    const path = resolve(configPath(values.config, io));
    io.out(systemdUnit(path, await loadAgentConfig(path)));
    return 0;
  }
  throw new UsageError(`tessera: unknown agent command ${JSON.stringify(sub)}\n\n${USAGE}`);
}
