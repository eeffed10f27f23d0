// The embedded store at scale: 10,000 bots and 1,000,000 audit events written through the store
// (calls of one event-loop turn share one transaction), then, in fresh processes, the restart (open
// to the first answered query), paginated audit queries (the cursor of `tessera audit`), a filtered
// query, the bot list, the resident memory, and one retention pass. Prints every figure.
// Run: npx tsx bench/embedded-store-scale.ts [--bots 10000] [--events 1000000] [--restarts 5]
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FixedClock } from "#tessera/core";
import { EmbeddedStore } from "#tessera/issuer";
import type { AuditEvent, AuditEventType, Bot } from "#tessera/issuer";

const { values } = parseArgs({
  options: { bots: { type: "string" }, events: { type: "string" }, restarts: { type: "string" }, child: { type: "string" } },
});
const BOTS = Number(values.bots ?? 10_000);
const EVENTS = Number(values.events ?? 1_000_000);
const RESTARTS = Number(values.restarts ?? 5);
const NOW = Date.UTC(2026, 10, 30);
const DAY = 86_400_000;
/** Events are spread over this many days before NOW; the retention pass keeps the newest 30 of them. */
const SPREAD_DAYS = 40;
const TYPES: AuditEventType[] = ["x509_svid", "x509_svid", "x509_svid", "jwt_svid", "renew", "join", "svid_refused"];

const botName = (i: number): string => `bot-${String(i).padStart(5, "0")}`;
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

function auditEvent(i: number): AuditEvent {
  const bot = botName(i % BOTS);
  return {
    id: `ev-${String(i).padStart(8, "0")}`,
    type: TYPES[i % TYPES.length] as AuditEventType,
    time: NOW - SPREAD_DAYS * DAY + Math.floor((i * SPREAD_DAYS * DAY) / EVENTS),
    botName: bot,
    instanceId: `${bot}-i1`,
    spiffeId: `spiffe://example.org/${bot}/workload`,
    serialOrJti: (i * 2654435761).toString(16),
    keyThumbprint: `thumb-${i % 997}`,
  };
}

async function fill(directory: string): Promise<void> {
  const store = await EmbeddedStore.open({ directory, clock: new FixedClock(NOW) });
  let started = performance.now();
  for (let i = 0; i < BOTS; i += 1000) {
    const group: Promise<void>[] = [];
    for (let j = i; j < Math.min(BOTS, i + 1000); j++) {
      const bot: Bot = {
        id: `id-${j}`,
        name: botName(j),
        allowedSpiffeIds: [`spiffe://example.org/${botName(j)}/*`],
        joinRules: [{ method: "token" }],
        maxSvidTtlSeconds: 3600,
        createdAt: NOW - 50 * DAY,
      };
      group.push(store.createBot(bot));
    }
    await Promise.all(group);
  }
  console.log(`bots:   ${BOTS} created in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  started = performance.now();
  const GROUP = 2000;
  for (let i = 0; i < EVENTS; i += GROUP) {
    const group: Promise<void>[] = [];
    for (let j = i; j < Math.min(EVENTS, i + GROUP); j++) group.push(store.appendAudit(auditEvent(j)));
    await Promise.all(group);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `audit:  ${EVENTS} events appended in ${seconds.toFixed(1)} s (${Math.round(EVENTS / seconds)}/s, ${GROUP} per event-loop turn); writer RSS ${mib(process.memoryUsage().rss)} MiB`,
  );
  await store.close();
}

/** Appends per second with `concurrency` callers, each awaiting its append before the next. */
async function appendRate(directory: string, concurrency: number, count: number): Promise<number> {
  const store = await EmbeddedStore.open({ directory, clock: new FixedClock(NOW) });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await store.appendAudit({ id: `rate-${concurrency}-${i}`, type: "x509_svid", time: NOW, botName: botName(i % BOTS) });
      }
    }),
  );
  const rate = count / ((performance.now() - started) / 1000);
  await store.close();
  return rate;
}

interface ChildFigures {
  restartMs: number;
  pagesMs: number;
  filteredMs: number;
  listBotsMs: number;
  bots: number;
  pageEvents: number;
  baseRss: number;
  rss: number;
  maxRss: number;
  prune?: { ms: number; olderListed: number };
}

/** In a fresh process: open, first query, pages, filters, memory (and with --child prune, a retention pass). */
async function child(directory: string, prune: boolean): Promise<void> {
  const baseRss = process.memoryUsage().rss;
  const started = performance.now();
  const store = await EmbeddedStore.open({ directory, clock: new FixedClock(NOW), ...(prune ? { auditRetentionDays: 30 } : {}) });
  let page = await store.listAudit({ limit: 100 });
  const restartMs = performance.now() - started;
  let pageEvents = page.length;
  const pagesStarted = performance.now();
  for (let i = 0; i < 50 && page.length > 0; i++) {
    const last = page[page.length - 1] as AuditEvent;
    page = await store.listAudit({ limit: 100, before: { time: last.time, id: last.id } });
    pageEvents += page.length;
  }
  const pagesMs = performance.now() - pagesStarted;
  const filteredStarted = performance.now();
  await store.listAudit({ botName: botName(42), limit: 100 });
  await store.listAudit({ types: ["join_refused", "renew_refused", "svid_refused"], limit: 100 });
  await store.listAudit({ spiffeId: `spiffe://example.org/${botName(7)}/workload`, since: NOW - 7 * DAY, limit: 100 });
  const filteredMs = performance.now() - filteredStarted;
  const botsStarted = performance.now();
  const bots = (await store.listBots()).length;
  const listBotsMs = performance.now() - botsStarted;
  const figures: ChildFigures = {
    restartMs,
    pagesMs,
    filteredMs,
    listBotsMs,
    bots,
    pageEvents,
    baseRss,
    rss: process.memoryUsage().rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
  if (prune) {
    const pruneStarted = performance.now();
    await store.appendAudit({ id: "prune-trigger", type: "lock", time: NOW });
    const ms = performance.now() - pruneStarted;
    figures.prune = { ms, olderListed: (await store.listAudit({ since: 0, until: NOW - 30 * DAY, limit: 10 })).length };
  }
  await store.close();
  console.log(JSON.stringify(figures));
}

function runChild(directory: string, mode: string): ChildFigures {
  const result = spawnSync(process.execPath, ["--import", "tsx", new URL(import.meta.url).pathname, "--child", `${mode}:${directory}`], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1) as string) as ChildFigures;
}

async function directorySize(directory: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(directory)) total += (await stat(join(directory, name))).size;
  return total;
}

async function main(): Promise<void> {
  console.log(
    `embedded store at scale: ${BOTS} bots, ${EVENTS} audit events; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(2)}, Node ${process.version}`,
  );
  const root = await mkdtemp(join(tmpdir(), "tessera-store-scale-"));
  try {
    const directory = join(root, "data");
    await fill(directory);
    console.log(`disk:   ${mib(await directorySize(directory))} MiB in the data directory`);
    for (const concurrency of [1, 8, 32]) {
      console.log(
        `append: concurrency ${concurrency}: ${Math.round(await appendRate(directory, concurrency, 4000))} events/s (each answered after its commit)`,
      );
    }
    const runs = Array.from({ length: RESTARTS }, () => runChild(directory, "query"));
    const figure = (key: keyof ChildFigures): number => median(runs.map((run) => run[key] as number));
    console.log(
      `restart (open to first page of 100, fresh process), median of ${RESTARTS}: ${figure("restartMs").toFixed(1)} ms (target < 300 ms)`,
    );
    console.log(
      `audit pages: 50 more pages of 100 by cursor: ${figure("pagesMs").toFixed(1)} ms (${(figure("pagesMs") / 50).toFixed(2)} ms a page, ${runs[0]?.pageEvents} events read)`,
    );
    console.log(`filtered queries (bot, refusal types, SPIFFE ID + since): ${figure("filteredMs").toFixed(1)} ms for the three`);
    console.log(`bot list: ${runs[0]?.bots} bots in ${figure("listBotsMs").toFixed(1)} ms`);
    console.log(
      `RSS after all of that: ${mib(figure("rss"))} MiB, peak ${mib(figure("maxRss"))} MiB (target < 150 MiB); before the open ${mib(figure("baseRss"))} MiB (Node, tsx, the store's modules)`,
    );
    const pruned = runChild(directory, "prune");
    console.log(
      `retention 30 days: the append that runs the first pruning pass (one bounded batch) answered in ${pruned.prune?.ms.toFixed(1)} ms; events older than 30 days listed: ${pruned.prune?.olderListed}`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (values.child !== undefined) {
  const [mode, ...rest] = values.child.split(":");
  await child(rest.join(":"), mode === "prune");
} else {
  await main();
}
