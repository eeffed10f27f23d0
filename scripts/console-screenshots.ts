// Screenshots of every console page into docs/images/ for the README, from a throw-away dev issuer
// with a few bots, joins, SVIDs and refusals made through the issuer's own use cases.
// Run: npx tsx scripts/console-screenshots.ts   (needs Chromium: apt-get install chromium)
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startDevServer } from "../cli/dev/run-dev.js";
import { findChromium } from "../test/support/chromium.js";
import { SpiffeId, TesseraError, createBot, createCsr, createJoinToken, issueX509SvidForBot, joinWithToken, setLock } from "../layers/spiffe/src/index.js";

const TD = "example.org";
const OUT = fileURLToPath(new URL("../docs/images/", import.meta.url));
const CHROMIUM = findChromium();
if (!CHROMIUM) throw new Error("screenshots: no Chromium found (apt-get install chromium, or set TESSERA_CHROMIUM)");

const root = await mkdtemp(join(tmpdir(), "tessera-console-shots-"));
const dev = await startDevServer({ dataDir: join(root, "issuer"), host: "127.0.0.1", port: 0, trustDomain: TD, env: { TESSERA_LOG_LEVEL: "ERROR" } });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const { admin, issuer } = dev.runtime;
  for (const name of ["web", "billing", "ci-runner"]) {
    await createBot(admin, { name, allowedSpiffeIds: [`spiffe://${TD}/${name}/*`], allowedDnsNames: [`*.${name}.svc.internal`] }, "screenshots");
    for (let i = 0; i < 2; i++) {
      const { token } = await createJoinToken(admin, { botName: name }, "screenshots");
      const { credential } = await joinWithToken(issuer, { token });
      for (const svc of ["api", "worker", "api"]) {
        const csr = await createCsr({ privateKey: generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey, spiffeId: SpiffeId.fromString(`spiffe://${TD}/${name}/${svc}`) });
        await issueX509SvidForBot(issuer, { credential, csr, spiffeId: `spiffe://${TD}/${name}/${svc}` });
      }
      await issueX509SvidForBot(issuer, { credential, csr: "x", spiffeId: `spiffe://${TD}/payments/db` }).catch((err: unknown) => {
        if (!(err instanceof TesseraError)) throw err;
      });
    }
  }
  await setLock(admin, { target: "bot", id: "ci-runner", locked: true, reason: "runner image under review" }, "screenshots");
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(dev.consoleLoginUrl());
  const origin = new URL(dev.url).origin;
  for (const [hash, file] of [["#/bots", "bots"], ["#/bots/web", "bot"], ["#/issuance", "issuance"], ["#/policy", "policy"], ["#/locks", "locks"], ["#/ca", "ca"]] as const) {
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
