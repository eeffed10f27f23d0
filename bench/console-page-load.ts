// Console page loads with 1,000 bots and 100,000 audit events in the embedded store, in Debian's
// headless Chromium: time from navigation until the page is drawn and every call it made has answered.
// Run: npx tsx bench/console-page-load.ts [--bots 1000] [--events 100000] [--rounds 5]
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { startDevServer } from "../cli/dev/run-dev.js";
import { findChromium } from "../test/support/chromium.js";
import { type AuditEvent, type AuditEventType, countIssuance, createBot, LEGACY_EMBEDDED_STORE_FILES } from "#tessera/issuer";

const { values } = parseArgs({ options: { bots: { type: "string" }, events: { type: "string" }, rounds: { type: "string" } } });
const BOTS = Number(values.bots ?? 1000);
const EVENTS = Number(values.events ?? 100_000);
const ROUNDS = Number(values.rounds ?? 5);
const TD = "example.org";
const CHROMIUM = findChromium();
if (!CHROMIUM) throw new Error("bench: no Chromium found (apt-get install chromium, or set TESSERA_CHROMIUM)");

const TYPES: AuditEventType[] = ["x509_svid", "x509_svid", "x509_svid", "jwt_svid", "join", "renew", "svid_refused", "join_refused"];

/** The audit log as the embedded store writes it, one JSON event a line, spread over the last 24 hours. */
function auditLines(now: number): string {
  const lines: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const type = TYPES[i % TYPES.length] as AuditEventType;
    const bot = `bot-${String(i % BOTS).padStart(4, "0")}`;
    const event: AuditEvent = {
      id: randomUUID(),
      type,
      time: now - Math.floor(((EVENTS - i) * 23 * 3_600_000) / EVENTS),
      botName: bot,
      instanceId: `inst-${i % (BOTS * 2)}`,
      joinMethod: "token",
      spiffeId: `spiffe://${TD}/${bot}/svc-${i % 3}`,
      ...(type.endsWith("_refused")
        ? { detail: { code: "ERR_SPIFFEID_NOT_ALLOWED", reason: `issuer: bot ${bot} may not ask for spiffe://${TD}/x` } }
        : { serialOrJti: randomUUID().replaceAll("-", ""), expiresAt: now + 3_600_000 }),
    };
    lines.push(JSON.stringify(event));
  }
  return `${lines.join("\n")}\n`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const root = await mkdtemp(join(tmpdir(), "tessera-console-bench-"));
try {
  const dataDir = join(root, "issuer");
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, LEGACY_EMBEDDED_STORE_FILES.audit), auditLines(Date.now()), { mode: 0o600 });
  const dev = await startDevServer({ dataDir, host: "127.0.0.1", port: 0, trustDomain: TD, env: { TESSERA_LOG_LEVEL: "ERROR" } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    for (let i = 0; i < BOTS; i++) {
      const name = `bot-${String(i).padStart(4, "0")}`;
      await createBot(dev.runtime.admin, { name, allowedSpiffeIds: [`spiffe://${TD}/${name}/*`] }, "bench");
    }
    const page = await browser.newPage();
    await page.goto(dev.consoleLoginUrl());
    const origin = new URL(dev.url).origin;
    console.log(
      `console page loads: ${BOTS} bots, ${EVENTS} audit events (embedded store), Chromium ${browser.version()}, ${ROUNDS} rounds, median ms`,
    );
    for (const hash of ["#/bots", "#/bots/bot-0007", "#/issuance", "#/policy", "#/locks", "#/ca"]) {
      const times: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        await page.goto("about:blank");
        const start = performance.now();
        await page.goto(`${origin}/console/${hash}`);
        await page.waitForSelector(`#main[data-rendered="${hash}"]`);
        await page.waitForSelector('body[data-pending="0"]');
        times.push(performance.now() - start);
      }
      console.log(
        `  ${hash.padEnd(18)} ${median(times).toFixed(0).padStart(6)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
      );
    }
    const counts = await countIssuance(dev.runtime.admin);
    const complete = counts.capped
      ? `capped: complete from ${new Date(counts.countedSince).toISOString()} to ${new Date(counts.until).toISOString()}`
      : "not capped";
    console.log(`  the Issuance page's counts read ${counts.scanned} SVID events (${complete})`);
  } finally {
    await browser.close();
    await dev.stop();
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
