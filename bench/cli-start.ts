// Start-up of the `tessera` command and the agent's memory at idle, for the bundle that
// `npm install` builds (build/cli/, scripts/build-cli.mjs) against the TypeScript sources run by tsx
// (TESSERA_NO_BUNDLE=1): wall time of `tessera --help` and of `tessera bot list` against a running
// `tessera dev` (median of RUNS), and the resident memory (VmRSS) of `tessera agent` serving the
// Workload API and an X.509-SVID file output, read after it has been idle for IDLE_MS.
// Run: node scripts/build-cli.mjs && npx tsx bench/cli-start.ts [CHECKOUT]
// (CHECKOUT: measure another checkout's bin/tessera.mjs, e.g. one from before the bundle; without a
// build/cli/ there, only its tsx figures are printed.)
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const RUNS = 7;
const IDLE_MS = 5000;
const root = process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "tessera.mjs");
const work = mkdtempSync(join(tmpdir(), "tessera-cli-start-"));
const variants = { bundle: { TESSERA_NO_BUNDLE: "" }, tsx: { TESSERA_NO_BUNDLE: "1" } } as const;

const env = (extra: Record<string, string>) => ({ ...process.env, NODE_OPTIONS: "", TESSERA_LOG_LEVEL: "WARN", ...extra });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function timeRuns(args: string[], extra: Record<string, string>): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [bin, ...args], { env: env(extra), encoding: "utf8" });
    if (run.status !== 0) throw new Error(`bench: tessera ${args.join(" ")} failed: ${run.stderr}`);
    if (i > 0) times.push(performance.now() - started);
  }
  return median(times);
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`bench: ${what} did not start:\n${output}`)), 120_000);
    const onData = (data: Buffer) => {
      output += data;
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`bench: ${what} exited with ${code}:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function residentMiB(pid: number): number {
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kib / 1024;
}

async function agentIdleMiB(issuer: string, dataDir: string, name: string, extra: Record<string, string>): Promise<number> {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args, "--issuer", issuer, "--data-dir", dataDir, "--json"], { env: env(extra), encoding: "utf8" });
  const token = (JSON.parse(cli("token", "create", "--bot", "bench").stdout) as { token: string }).token;
  const dir = join(work, name);
  const config = join(work, `${name}.yaml`);
  writeFileSync(
    config,
    `version: v1\nissuer: ${issuer}\ntrust_domain: example.org\nonboarding: { join_method: token, token: ${token} }\nstorage: { directory: ${join(dir, "state")} }\nservices:\n` +
      `  - type: workload-identity-api\n    listen: unix://${join(dir, "api.sock")}\n    identities: [{ spiffe_id: spiffe://example.org/bench/web, selectors: ["unix:uid:${process.getuid!()}"] }]\n` +
      `  - { type: workload-identity-x509, spiffe_id: spiffe://example.org/bench/web, destination: ${join(dir, "svid")} }\n`,
  );
  const agent = spawn(process.execPath, [bin, "agent", "-c", config], { env: env(extra), stdio: ["ignore", "ignore", "pipe"] });
  try {
    await waitForLine(agent, /wrote X\.509-SVID files/, `the agent (${name})`);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return residentMiB(agent.pid!);
  } finally {
    await stop(agent);
  }
}

try {
  const dataDir = join(work, "dev");
  const dev = spawn(process.execPath, [bin, "dev", "--port", "0", "--data-dir", dataDir], {
    env: env({}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const issuer = (await waitForLine(dev, /API:\s+(http:\/\/\S+)/, "tessera dev"))[1]!;
    const create = spawnSync(
      process.execPath,
      [bin, "bot", "create", "bench", "--allow", "spiffe://example.org/bench/*", "--issuer", issuer, "--data-dir", dataDir],
      { env: env({}), encoding: "utf8" },
    );
    if (create.status !== 0) throw new Error(`bench: bot create failed: ${create.stderr}`);
    console.log(
      `tessera start-up (median of ${RUNS} after a warm-up, node ${process.version}, ${process.arch}) and agent memory after ${IDLE_MS / 1000} s idle`,
    );
    console.log("variant      --help      bot list    agent VmRSS");
    const hasBundle = existsSync(join(root, "build", "cli", "main.mjs"));
    for (const [name, extra] of Object.entries(variants).filter(([name]) => hasBundle || name === "tsx")) {
      const help = timeRuns(["--help"], extra);
      const list = timeRuns(["bot", "list", "--issuer", issuer, "--data-dir", dataDir], extra);
      const rss = await agentIdleMiB(issuer, dataDir, name, extra);
      console.log(
        `${name.padEnd(10)}${`${help.toFixed(0)} ms`.padStart(10)}${`${list.toFixed(0)} ms`.padStart(12)}${`${rss.toFixed(1)} MiB`.padStart(15)}`,
      );
    }
  } finally {
    await stop(dev);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
