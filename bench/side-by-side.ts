// Tessera side by side with SPIRE v1.13.3 on this machine: both real stacks on loopback (Tessera:
// `tessera dev` + `tessera agent`; SPIRE: server + agent with the disk key manager, SQLite and
// join-token node attestation), one go-spiffe client (bench/bench-client) driving both agents and
// both issuers, in rounds that alternate the order (Tessera first in odd rounds, SPIRE first in even
// ones). Prints the median of each figure over the rounds, the ratio Tessera / SPIRE, and the machine's cores and load; the raw rounds go to
// bench/results/. bench/README.md says what each figure means.
// Run: npm run bench [-- --rounds 9 | --quick] [--duration 3s] [--warmup 0.5s] [--keep] [--only agent]
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureBenchBinaries } from "./side-by-side/setup.js";
import { rssMib, sleep } from "./side-by-side/processes.js";
import { describeMachine, formatTable, type RoundFigures } from "./side-by-side/report.js";
import { startSpireStack } from "./side-by-side/spire-stack.js";
import { WORKLOAD_ID, benchClient, type Stack } from "./side-by-side/stack.js";
import { startTesseraStack } from "./side-by-side/tessera-stack.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "9" },
    quick: { type: "boolean", default: false },
    duration: { type: "string", default: "3s" },
    warmup: { type: "string", default: "0.5s" },
    keep: { type: "boolean", default: false },
    only: { type: "string" },
  },
});
if (values.only !== undefined && values.only !== "agent")
  throw new Error("bench: --only takes `agent` (restart, idle RSS and 1,000 watchers)");
const ROUNDS = values.quick ? 3 : Number(values.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error("bench: --rounds must be a whole number of at least 1");
/** How long an agent sits after its first fetch before its RSS is read as idle. */
const SETTLE_MS = 2000;

/** `--only agent`: restart the agent (state kept), read its idle RSS, open the 1,000 watchers. */
async function measureAgentRound(stack: Stack, client: string): Promise<RoundFigures> {
  const agentStart = await stack.restartAgent();
  await sleep(SETTLE_MS);
  const agentRss = rssMib(stack.agent().pid);
  const watchers = await benchClient<RoundFigures>(client, "watchers", ["-socket", stack.socket, "-n", "1000"]);
  return { ...watchers, agent_rss_idle_mib: agentRss, agent_start_ms: agentStart };
}

async function measureRound(stack: Stack, client: string): Promise<RoundFigures> {
  const issuerStart = await stack.restartIssuer();
  const agentStart = await stack.restartAgent();
  await sleep(SETTLE_MS);
  const agentRss = rssMib(stack.agent().pid);
  const watchers = await benchClient<RoundFigures>(client, "watchers", ["-socket", stack.socket, "-n", "1000"]);
  const workload = await benchClient<RoundFigures>(client, "workload", ["-socket", stack.socket, "-agent-pid", String(stack.agent().pid)]);
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
  const c8 = await issue(8);
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
  stacks.push(await startTesseraStack(join(dir, "tessera"), binaries.client));
  stacks.push(await startSpireStack(join(dir, "spire"), binaries));
  const [tessera, spire] = stacks as [Stack, Stack];
  const rounds = { tessera: [] as RoundFigures[], spire: [] as RoundFigures[] };
  for (let round = 1; round <= ROUNDS; round++) {
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
  failed = false;
} finally {
  for (const stack of stacks) await stack.stop();
  if (failed || values.keep) console.error(`bench: logs and data kept in ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}
