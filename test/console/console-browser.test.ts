// The console in a real browser (Debian's headless Chromium driven by playwright-core) against a
// real dev issuer and a real agent process: create a bot on the page, join with the agent, see the
// instance and its SVIDs, see a refused request with its reason, lock the bot and see the agent's
// next renewal refused, unlock it.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { findChromium } from "../support/chromium.js";
import { TESSERA_BIN } from "../support/cli-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

const TD = "example.org";
const ID = `spiffe://${TD}/web/api`;
const chromiumPath = findChromium();
const skip = chromiumPath ? false : "no Chromium found (apt-get install chromium, or set TESSERA_CHROMIUM to its path)";

describe("the console in headless Chromium against tessera dev and a real agent", { skip }, () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  let browser: Browser;
  let page: Page;
  let agent: ChildProcess | undefined;
  let agentLog = "";
  const pageErrors: string[] = [];
  const auditOf = async (type: "x509_svid" | "renew_refused" | "svid_refused" | "join_refused") =>
    dev.runtime.store.listAudit({ botName: "web", type, limit: 100 });

  before(async () => {
    tmp = await makeTempDir("console-browser");
    dev = await startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: 0,
      trustDomain: TD,
      env: { TESSERA_LOG_LEVEL: "ERROR" },
    });
    browser = await chromium.launch({ executablePath: chromiumPath as string, args: ["--no-sandbox", "--disable-gpu"] });
    page = await browser.newPage();
    page.on("pageerror", (err) => pageErrors.push(String(err)));
    page.on("dialog", (dialog) => void dialog.accept());
  });
  after(async () => {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((resolve) => agent?.once("exit", resolve));
      agent.kill("SIGTERM");
      await exited;
    }
    await browser?.close();
    await dev?.stop();
    await tmp?.remove();
  });

  it("logs in with the one-time link; the page never sees the session cookie", async () => {
    await page.goto(dev.consoleLoginUrl());
    await page.getByRole("heading", { name: "Bots" }).waitFor();
    assert.equal(await page.evaluate("document.cookie"), "", "the session cookie is HttpOnly");
    const [cookie] = await page.context().cookies();
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, "Strict");
  });

  it("creates a bot on the page and a join token shown once", async () => {
    await page.fill("#bot-name", "web");
    await page.fill("#bot-ids", `spiffe://${TD}/web/*`);
    await page.click("#create-bot button[type=submit]");
    await page.getByText("created bot web").waitFor();
    await page.getByRole("link", { name: "web", exact: true }).click();
    await page.getByRole("heading", { name: "Bot web" }).waitFor();
    await page.click("#create-token");
    const token = (await page.textContent("#new-join-token")) ?? "";
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);

    const out = join(tmp.path, "svid");
    const config = join(tmp.path, "agent.yaml");
    writeFileSync(
      config,
      `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token, token: ${token} }\nservices:\n  - { type: workload-identity-x509, spiffe_id: ${ID}, destination: ${out} }\n`,
    );
    agent = spawn(process.execPath, [TESSERA_BIN, "agent", "-c", config, "--diag-addr", "127.0.0.1:0"], {
      env: { ...process.env, NODE_OPTIONS: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    agent.stderr?.on("data", (d) => (agentLog += d));
    await waitFor(`the agent's SVID (${agentLog})`, () => existsSync(join(out, "svid.pem")), 60_000);
    // Its signal handlers are in place once it has printed its diagnostics address.
    await waitFor(`the agent's diagnostics line (${agentLog})`, () => /diagnostics url=/.test(agentLog), 60_000);
  });

  it("shows the instance and the SVIDs it received", async () => {
    const [issued] = await auditOf("x509_svid");
    assert.ok(issued, "the agent's SVID is audited");
    await page.reload();
    await page.getByRole("heading", { name: "Instances" }).waitFor();
    await page
      .getByRole("cell", { name: issued.instanceId as string })
      .first()
      .waitFor();
    await page.getByRole("cell", { name: issued.serialOrJti as string }).waitFor();
    assert.ok((await page.getByRole("cell", { name: ID, exact: true }).count()) >= 1);
    // The instance's last X.509-SVID, found by the issuer in the bot's audit trail.
    await page
      .locator(".last-svid", { hasText: `${ID} at ` })
      .first()
      .waitFor();
  });

  it("shows a refused request with its code and reason on the Issuance page", async () => {
    const refused = await fetch(`${dev.url}/v1/svids/x509`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer not-a-credential" },
      body: JSON.stringify({ spiffe_id: ID, csr: "x" }),
    });
    assert.equal(refused.status, 401);
    await page.goto(`${new URL(dev.url).origin}/console/#/issuance`);
    await page.getByRole("heading", { name: "Refused joins, renewals and SVID requests" }).waitFor();
    const [audited] = await dev.runtime.store.listAudit({ type: "svid_refused", limit: 1 });
    assert.equal(audited?.detail?.code, "ERR_CREDENTIAL_INVALID");
    await page.getByRole("cell", { name: "ERR_CREDENTIAL_INVALID" }).first().waitFor();
    await page
      .getByRole("cell", { name: audited.detail.reason as string })
      .first()
      .waitFor();
    assert.equal(await page.locator("figure svg").count(), 3, "the per-hour, per-SPIFFE-ID and per-bot charts");
    assert.ok((await page.locator("figure svg rect.bar").count()) >= 3, "the charts have bars");
    // The charts are the issuer's own counts: the SPIFFE ID's row and the bot's row carry its total.
    const svids = (await auditOf("x509_svid")).filter((e) => e.spiffeId === ID).length;
    await page.locator("#issuance-per-spiffe-id svg title", { hasText: `${ID}: ${svids}` }).waitFor({ state: "attached" });
    await page.locator("#issuance-per-bot svg title", { hasText: `web: ${svids}` }).waitFor({ state: "attached" });
    await page.getByText(`${svids} X.509-SVIDs and 0 JWT-SVIDs`).waitFor();
    assert.equal(await page.locator("#issuance-capped").count(), 0, "a handful of events is far from the scan cap");
  });

  it("shows the CA's slots and says the dev issuer has no Roles Anywhere trust anchor", async () => {
    await page.goto(`${new URL(dev.url).origin}/console/#/ca`);
    await page.getByRole("heading", { name: "IAM Roles Anywhere trust anchor" }).waitFor();
    await page.locator("#trust-anchor", { hasText: "Not configured" }).waitFor();
    await page.getByRole("cell", { name: "active" }).first().waitFor();
    await page.locator("#jwt-svids", { hasText: "JWT-SVIDs: on" }).waitFor();
  });

  it("locks the bot from the page: the agent's next renewal is refused with ERR_BOT_LOCKED; unlocking lets it renew", async () => {
    await page.goto(`${new URL(dev.url).origin}/console/#/bots/web`);
    await page.fill("#bot-lock-reason", "browser test");
    await page.click("#lock-bot");
    await page.getByText("locked: browser test").waitFor();
    assert.ok((await dev.runtime.store.getBot("web"))?.lock, "the bot is locked in the store");

    agent?.kill("SIGHUP");
    const refusal = await waitFor(`the agent's renewal refused (${agentLog})`, async () =>
      (await dev.runtime.store.listAudit({ types: ["renew_refused", "svid_refused"], limit: 100 })).find(
        (e) => e.detail?.code === "ERR_BOT_LOCKED",
      ),
    );
    await page.goto(`${new URL(dev.url).origin}/console/#/issuance`);
    await page.getByRole("cell", { name: "ERR_BOT_LOCKED" }).first().waitFor();
    await page
      .getByText(refusal.detail?.reason as string)
      .first()
      .waitFor();

    await page.goto(`${new URL(dev.url).origin}/console/#/bots/web`);
    await page.click("#unlock-bot");
    await page.getByRole("row").filter({ hasText: "active" }).first().waitFor();
    assert.equal((await dev.runtime.store.getBot("web"))?.lock, undefined);
    const before = (await auditOf("x509_svid")).length;
    agent?.kill("SIGHUP");
    await waitFor("an SVID after unlocking", async () => (await auditOf("x509_svid")).length > before, 60_000);
    assert.deepEqual(pageErrors, []);
  });
});
