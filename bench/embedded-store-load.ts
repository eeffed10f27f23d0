// The embedded store under an issuer's load: CONCURRENCY callers, each making the store calls of one
// X.509-SVID request over and over (bot instance, bot and revoked-key reads, then the audit append,
// each awaited as the issuer awaits it), for DURATION seconds after half a second of warm-up. Prints
// the requests per second, this process's CPU per request and the median request time. Run it in
// two checkouts one after the other to compare store changes without the crypto and HTTP around them.
// Run: npx tsx bench/embedded-store-load.ts [--concurrency 8] [--seconds 3]
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { EmbeddedStore } from "#tessera/issuer";
import type { Bot } from "#tessera/issuer";

const { values } = parseArgs({ options: { concurrency: { type: "string" }, seconds: { type: "string" } } });
const CONCURRENCY = Number(values.concurrency ?? 8);
const SECONDS = Number(values.seconds ?? 3);

const dir = await mkdtemp(join(tmpdir(), "tessera-store-load-"));
const store = await EmbeddedStore.open({ directory: dir });
const bot: Bot = {
  id: "id-bench",
  name: "bench",
  allowedSpiffeIds: ["spiffe://example.org/bench/*"],
  joinRules: [{ method: "token" }],
  maxSvidTtlSeconds: 3600,
  createdAt: Date.now(),
};
await store.createBot(bot);
let done = 0;
let next = 0;
let stopped = false;
const times: number[] = [];

async function caller(): Promise<void> {
  while (!stopped) {
    const start = performance.now();
    await store.getBotInstance("bench-instance");
    await store.getBot(bot.name);
    await store.revocations.isKeyRevoked("key-thumbprint", Date.now());
    const serial = (next++).toString(16);
    await store.appendAudit({ id: `ev-${serial}`, type: "x509_svid", time: Date.now(), botName: bot.name, serialOrJti: serial });
    times.push(performance.now() - start);
    done++;
  }
}

try {
  const callers = Array.from({ length: CONCURRENCY }, caller);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const [done0, cpu0, t0] = [done, process.cpuUsage(), performance.now()];
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const [requests, cpu, seconds] = [done - done0, process.cpuUsage(cpu0), (performance.now() - t0) / 1000];
  stopped = true;
  await Promise.all(callers);
  times.sort((a, b) => a - b);
  console.log(`embedded store, ${CONCURRENCY} callers, ${SECONDS} s (${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)})`);
  console.log(
    `  ${(requests / seconds).toFixed(0)} requests/s; ${((cpu.user + cpu.system) / requests).toFixed(0)} µs CPU and ${times[times.length >> 1]!.toFixed(2)} ms median per request (3 reads + 1 audit append)`,
  );
} finally {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
