// Tessera side by side with SPIRE v1.13.3 on this machine: both real stacks on loopback (Tessera:
// `tessera dev` + `tessera agent`; SPIRE: server + agent with the disk key manager, SQLite and
// join-token node attestation), one go-spiffe client (bench/bench-client) driving both agents and
// both issuers, in rounds that alternate the order (Tessera first in odd rounds, SPIRE first in even
// ones). Prints the median of each figure over the rounds, the ratio Tessera / SPIRE, and the machine's cores and load; the raw rounds go to
// bench/results/. bench/README.md says what each figure means.
// Run: npm run bench [-- --rounds 9 | --quick] [--duration 3s] [--warmup 0.5s] [--keep] [--only agent] [--profile DIR]
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureBenchBinaries } from "./side-by-side/setup.js";
import { rssMib, sleep } from "./side-by-side/processes.js";
import { ProfileSession, type ProfileWindow } from "./side-by-side/profile-session.js";
import { describeMachine, formatTable, type RoundFigures } from "./side-by-side/report.js";
import { startSpireStack } from "./side-by-side/spire-stack.js";
import { WORKLOAD_ID, benchClient, type Stack } from "./side-by-side/stack.js";
import { startTesseraStack } from "./side-by-side/tessera-stack.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string" },
    quick: { type: "boolean", default: false },
    duration: { type: "string", default: "3s" },
    warmup: { type: "string", default: "0.5s" },
    keep: { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "string" },
  },
});
if (values.only !== undefined && values.only !== "agent")
  throw new Error("bench: --only takes `agent` (restart, idle RSS and 1,000 watchers)");
// With --profile, one round unless --rounds or --quick says otherwise.
const ROUNDS = values.quick ? 3 : Number(values.rounds ?? (values.profile === undefined ? 9 : 1));
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error("bench: --rounds must be a whole number of at least 1");
/** How long an agent sits after its first fetch before its RSS is read as idle. */
const SETTLE_MS = 2000;
/** `--profile DIR`: the profiles of this run; undefined without the flag, and then nothing is profiled. */
const profiles = values.profile === undefined ? undefined : new ProfileSession(resolve(values.profile));
/** The round being measured, for the profiles' file names. */
let round = 0;

/**
 * Run body, recording the CPU profile of the stack's `role` process over it when profiling; perUnit
 * gives the window's CPU µs per unit (SVID, watcher, connection) from body's result and /proc.
 */
function profiled<T>(
  stack: Stack,
  window: ProfileWindow,
  role: "issuer" | "agent",
  body: () => Promise<T>,
  perUnit: (result: T, cpuMicros: number) => number,
): Promise<T> {
  if (profiles === undefined || stack.recorder === undefined) return body();
  return profiles.record(round, stack.name, window, stack.recorder(role), body, perUnit);
}

/** The 1,000 watchers on the stack's agent (profiled as the `watchers` window). */
function openWatchers(stack: Stack, client: string): Promise<RoundFigures> {
  return profiled(
    stack,
    "watchers",
    "agent",
    () => benchClient<RoundFigures>(client, "watchers", ["-socket", stack.socket, "-n", "1000"]),
    (_result, cpuMicros) => cpuMicros / 1000,
  );
}

/**
 * With --profile only: an extra run of fresh-connection fetches (with one call on a reused
 * connection and one JWT-SVID call each, the fewest the client makes), profiled as the `fresh` window.
 */
async function profileFreshFetches(stack: Stack, client: string): Promise<void> {
  if (profiles === undefined) return;
  await profiled(
    stack,
    "fresh",
    "agent",
    () =>
      benchClient<RoundFigures>(client, "workload", [
        ...["-socket", stack.socket, "-agent-pid", String(stack.agent().pid)],
        ...["-reused", "1", "-jwt", "1"],
      ]),
    (result) => result.agent_cpu_per_fresh_us!,
  );
}
/** `--only agent`: restart the agent (state kept), read its idle RSS, open the 1,000 watchers. */
async function measureAgentRound(stack: Stack, client: string): Promise<RoundFigures> {
  const agentStart = await stack.restartAgent();
  await sleep(SETTLE_MS);
  const agentRss = rssMib(stack.agent().pid);
  const watchers = await openWatchers(stack, client);
  return { ...watchers, agent_rss_idle_mib: agentRss, agent_start_ms: agentStart };
}

async function measureRound(stack: Stack, client: string): Promise<RoundFigures> {
  const issuerStart = await stack.restartIssuer();
  const agentStart = await stack.restartAgent();
  await sleep(SETTLE_MS);
  const agentRss = rssMib(stack.agent().pid);
  const watchers = await openWatchers(stack, client);
  const workload = await benchClient<RoundFigures>(client, "workload", ["-socket", stack.socket, "-agent-pid", String(stack.agent().pid)]);
  await profileFreshFetches(stack, client);
  const issue = (concurrency: number) =>
    benchClient<{ svids_per_second: number; server_cpu_per_svid_us: number }>(client, "issue", [
      ...stack.issueFlags(),
      "-spiffe-id",
      WORKLOAD_ID,
      "-concurrency",
      String(concurrency),
      "-duration",
      values.duration,
      "-warmup",
      values.warmup,
      "-server-pid",
      String(stack.issuer().pid),
    ]);
  const c8 = await profiled(
    stack,
    "issue-c8",
    "issuer",
    () => issue(8),
    (result) => result.server_cpu_per_svid_us,
  );
  const c32 = await issue(32);
  return {
    ...workload,
    ...watchers,
    agent_rss_idle_mib: agentRss,
    issue_c8_per_s: c8.svids_per_second,
    issue_c32_per_s: c32.svids_per_second,
    server_cpu_c8_us: c8.server_cpu_per_svid_us,
    server_cpu_c32_us: c32.server_cpu_per_svid_us,
    issuer_start_ms: issuerStart,
    agent_start_ms: agentStart,
  };
}

const binaries = ensureBenchBinaries();
const machineBefore = describeMachine();
const dir = await mkdtemp(join(tmpdir(), "tessera-side-by-side-"));
const stacks: Stack[] = [];
let failed = true;
try {
  await mkdir(join(dir, "tessera"));
  await mkdir(join(dir, "spire"));
  if (profiles) await mkdir(join(dir, "profile-spool"));
  stacks.push(await startTesseraStack(join(dir, "tessera"), binaries.client, profiles && join(dir, "profile-spool")));
  stacks.push(await startSpireStack(join(dir, "spire"), binaries, profiles !== undefined));
  const [tessera, spire] = stacks as [Stack, Stack];
  const rounds = { tessera: [] as RoundFigures[], spire: [] as RoundFigures[] };
  for (round = 1; round <= ROUNDS; round++) {
    // Whichever stack goes first in a round measures a little better (its agent starts on a quieter
    // machine), so the order alternates: Tessera first in odd rounds, SPIRE first in even ones.
    const order = [
      [tessera, rounds.tessera],
      [spire, rounds.spire],
    ] as const;
    for (const [stack, results] of round % 2 === 1 ? order : [...order].reverse()) {
      console.error(`round ${round}/${ROUNDS}: ${stack.name}`);
      results.push(await (values.only === "agent" ? measureAgentRound : measureRound)(stack, binaries.client));
    }
  }
  const machineAfter = describeMachine();
  console.log(
    `Tessera vs SPIRE v1.13.3, medians of ${ROUNDS} rounds (A B, then B A), ratio Tessera / SPIRE (below 1 is better, except where higher is better)`,
  );
  console.log(`machine: ${machineBefore} at start; ${machineAfter} at end; node ${process.version}`);
  console.log("");
  console.log(formatTable(rounds));
  const results = join(fileURLToPath(new URL(".", import.meta.url)), "results");
  await mkdir(results, { recursive: true });
  const file = join(results, `side-by-side-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  await writeFile(file, `${JSON.stringify({ rounds: ROUNDS, machineBefore, machineAfter, node: process.version, ...rounds }, null, 2)}\n`);
  console.log(`\nevery round: ${file}`);
  if (profiles) {
    console.log(`\n${await profiles.summarize()}`);
    console.log(`profiles and summary.md: ${profiles.dir}`);
  }
  failed = false;
} finally {
  for (const stack of stacks) await stack.stop();
  if (failed || values.keep) console.error(`bench: logs and data kept in ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}
