// Screenshots of every console page into docs/images/ for the README, from a throw-away dev issuer
// with a few bots, joins, SVIDs and refusals made through the issuer's own use cases. So that the
// Issuance chart shows a day, the SVIDs of the 23 hours before are audit events written straight
// into the store just before that page is taken (what the issuer would have recorded; no
// certificates behind them).
// Run: npx tsx scripts/console-screenshots.ts   (needs Chromium: apt-get install chromium)
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startDevServer } from "../cli/dev/run-dev.js";
import { findChromium } from "../test/support/chromium.js";
import { createCsr, SpiffeId, TesseraError } from "#tessera/core";
import {
  type AuditEvent,
  createBot,
  createJoinToken,
  issueJwtSvidForBot,
  issueX509SvidForBot,
  joinWithToken,
  setLock,
} from "#tessera/issuer";

const TD = "example.org";
const OUT = fileURLToPath(new URL("../docs/images/", import.meta.url));
const CHROMIUM = findChromium();
if (!CHROMIUM) throw new Error("screenshots: no Chromium found (apt-get install chromium, or set TESSERA_CHROMIUM)");

/** The SVIDs of the 23 hours before now, as the issuer would have audited them (for the Issuance chart only). */
async function seedIssuanceHistory(store: { appendAudit(event: AuditEvent): Promise<void> }): Promise<void> {
  const now = Date.now();
  for (let hour = 1; hour < 24; hour++) {
    for (const [name, svc, perHour] of [
      ["web", "api", 6],
      ["web", "worker", 2],
      ["billing", "api", 3],
      ["ci-runner", "api", hour > 8 ? 4 : 0],
    ] as const) {
      for (let i = 0; i < perHour + (hour % 5); i++) {
        const time = now - hour * 3_600_000 + i * 60_000;
        const type = i % 4 === 3 ? "jwt_svid" : "x509_svid";
        await store.appendAudit({
          id: randomUUID(),
          type,
          time,
          botName: name,
          spiffeId: `spiffe://${TD}/${name}/${svc}`,
          serialOrJti: randomUUID().replaceAll("-", ""),
          expiresAt: time + 3_600_000,
        });
      }
    }
  }
}

const root = await mkdtemp(join(tmpdir(), "tessera-console-shots-"));
const dev = await startDevServer({
  dataDir: join(root, "issuer"),
  host: "127.0.0.1",
  port: 0,
  trustDomain: TD,
  env: { TESSERA_LOG_LEVEL: "ERROR" },
});
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const { admin, issuer } = dev.runtime;
  for (const name of ["web", "billing", "ci-runner"]) {
    await createBot(
      admin,
      { name, allowedSpiffeIds: [`spiffe://${TD}/${name}/*`], allowedDnsNames: [`*.${name}.svc.internal`] },
      "screenshots",
    );
    for (let i = 0; i < 2; i++) {
      const { token } = await createJoinToken(admin, { botName: name }, "screenshots");
      const { credential } = await joinWithToken(issuer, { token });
      for (const svc of ["api", "worker", "api"]) {
        const csr = await createCsr({
          privateKey: generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey,
          spiffeId: SpiffeId.fromString(`spiffe://${TD}/${name}/${svc}`),
        });
        await issueX509SvidForBot(issuer, { credential, csr, spiffeId: `spiffe://${TD}/${name}/${svc}` });
      }
      await issueJwtSvidForBot(issuer, { credential, spiffeId: `spiffe://${TD}/${name}/api`, audience: ["https://billing.example.org"] });
      await issueX509SvidForBot(issuer, { credential, csr: "x", spiffeId: `spiffe://${TD}/payments/db` }).catch((err: unknown) => {
        if (!(err instanceof TesseraError)) throw err;
      });
    }
  }
  await setLock(admin, { target: "bot", id: "ci-runner", locked: true, reason: "runner image under review" }, "screenshots");
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(dev.consoleLoginUrl());
  const origin = new URL(dev.url).origin;
  for (const [hash, file] of [
    ["#/bots", "bots"],
    ["#/bots/web", "bot"],
    ["#/issuance", "issuance"],
    ["#/policy", "policy"],
    ["#/locks", "locks"],
    ["#/ca", "ca"],
  ] as const) {
    // Seeded only now, so that the bot pages before show what the use cases made.
    if (hash === "#/issuance") await seedIssuanceHistory(dev.runtime.store);
    await page.goto(`${origin}/console/${hash}`);
    await page.waitForSelector(`#main[data-rendered="${hash}"]`);
    await page.waitForSelector('body[data-pending="0"]');
    if (hash === "#/policy") {
      await page.fill("#p-bot", "web");
      await page.fill("#p-id", `spiffe://${TD}/payments/db`);
      await page.click("#policy-form button[type=submit]");
      await page.waitForSelector("#policy-result p");
    }
    await page.screenshot({ path: join(OUT, `console-${file}.png`), fullPage: true });
    console.log(`docs/images/console-${file}.png`);
  }
} finally {
  await browser.close();
  await dev.stop();
  await rm(root, { recursive: true, force: true });
}
