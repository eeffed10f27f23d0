import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawRequest, type RawAnswer } from "../support/raw-http.js";
import { makeTempDir } from "../support/temp-dir.js";
import { ADMIN_TOKEN, TRUST_DOMAIN, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";

const raw = rawRequest;
type Raw = RawAnswer;

const codeOf = (r: Raw) => (JSON.parse(r.body) as { error?: { code?: string } }).error?.code;

describe("console: login code -> HttpOnly SameSite=Strict cookie; console calls need the header and this server's Host and Origin", () => {
  let h: IssuerHarness;
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  let host: string;
  let origin: string;
  let cookie: string;
  const botBody = (name: string) =>
    JSON.stringify({ name, allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/${name}`], join_rules: [{ method: "token" }] });

  async function login(): Promise<string> {
    const minted = await raw(h.url, "POST", "/v1/admin/console/login-codes", { authorization: `Bearer ${ADMIN_TOKEN}` });
    assert.equal(minted.status, 201, minted.body);
    const path = (JSON.parse(minted.body) as { login_path: string }).login_path;
    const answer = await raw(h.url, "GET", path);
    assert.equal(answer.status, 303, answer.body);
    const setCookie = String(answer.headers["set-cookie"]);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    return setCookie.split(";")[0] as string;
  }
  const consoleHeaders = () => ({ cookie, "x-tessera-console": "1", origin, "content-type": "application/json" });
  const without = (name: string): Record<string, string> =>
    Object.fromEntries(Object.entries(consoleHeaders()).filter(([k]) => k !== name));

  before(async () => {
    dir = await makeTempDir("console-gate");
    h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path });
    host = new URL(h.url).host;
    origin = `http://${host}`;
    cookie = await login();
  });
  after(async () => {
    await h.close();
    await dir.remove();
  });

  it("a console session with the header and this Origin may read and change (principal local-console in the audit)", async () => {
    const list = await raw(h.url, "GET", "/v1/admin/bots", consoleHeaders());
    assert.equal(list.status, 200, list.body);
    const created = await raw(h.url, "POST", "/v1/admin/bots", consoleHeaders(), botBody("from-console"));
    assert.equal(created.status, 201, created.body);
    const [event] = await h.runtime.store.listAudit({ type: "bot_created", limit: 1 });
    assert.equal(event?.detail?.actor, "local-console");
  });

  it("attack: no cookie (or a made-up one) -> 401", async () => {
    for (const c of [undefined, "tessera_console=forged", `${cookie}x`]) {
      const answer = await raw(h.url, "GET", "/v1/admin/bots", { ...consoleHeaders(), ...(c ? { cookie: c } : { cookie: "" }) });
      assert.equal(answer.status, 401, String(c));
      assert.equal(codeOf(answer), "ERR_UNAUTHORIZED");
    }
  });

  it("attack: a cross-site form post with the cookie (no console header, foreign Origin, form encoding) -> 403 and nothing written", async () => {
    const before = (await h.runtime.store.listBots()).length;
    const form = await raw(
      h.url,
      "POST",
      "/v1/admin/bots",
      { cookie, origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      "name=evil",
    );
    assert.equal(form.status, 403, form.body);
    assert.equal(codeOf(form), "ERR_CONSOLE_FORBIDDEN");
    const lock = await raw(
      h.url,
      "POST",
      "/v1/admin/locks",
      { cookie, "content-type": "text/plain" },
      '{"target":"bot","id":"from-console"}',
    );
    assert.equal(lock.status, 403);
    assert.equal((await h.runtime.store.listBots()).length, before);
    assert.equal((await h.runtime.store.getBot("from-console"))?.lock, undefined);
  });

  it("attack: the console header with a wrong Origin, or a state change with no Origin -> 403", async () => {
    for (const o of ["https://evil.example", "null", `http://${host}.evil.example`]) {
      const answer = await raw(h.url, "POST", "/v1/admin/bots", { ...consoleHeaders(), origin: o }, botBody("evil"));
      assert.equal(answer.status, 403, o);
      const read = await raw(h.url, "GET", "/v1/admin/bots", { ...consoleHeaders(), origin: o });
      assert.equal(read.status, 403, `GET from ${o}`);
    }
    const noOrigin = without("origin");
    assert.equal((await raw(h.url, "POST", "/v1/admin/bots", noOrigin, botBody("evil"))).status, 403);
    assert.equal(await h.runtime.store.getBot("evil"), undefined);
  });

  it("attack: DNS rebinding (a foreign Host with a matching Origin) -> 403, for the API and the login", async () => {
    const rebound = "evil.example:80";
    const answer = await raw(
      h.url,
      "POST",
      "/v1/admin/bots",
      { ...consoleHeaders(), host: rebound, origin: `http://${rebound}` },
      botBody("evil"),
    );
    assert.equal(answer.status, 403);
    assert.equal((await raw(h.url, "GET", "/console/", { host: rebound })).status, 403);
    const noOrigin = without("origin");
    assert.equal((await raw(h.url, "GET", "/v1/admin/bots", { ...noOrigin, host: rebound })).status, 403, "a read through a rebound name");
  });

  it("attack: the cookie and this Origin without the console header (a same-site form or a plain link) -> 403", async () => {
    const noHeader = without("x-tessera-console");
    assert.equal((await raw(h.url, "GET", "/v1/admin/bots", noHeader)).status, 403);
    assert.equal((await raw(h.url, "POST", "/v1/admin/bots", noHeader, botBody("evil"))).status, 403);
    assert.equal(await h.runtime.store.getBot("evil"), undefined);
  });

  it("attack: a login code works once and expires after 10 minutes; minting one needs the admin token; a session ends after 12 hours or at logout", async () => {
    const mint = async () =>
      (
        JSON.parse((await raw(h.url, "POST", "/v1/admin/console/login-codes", { authorization: `Bearer ${ADMIN_TOKEN}` })).body) as {
          login_path: string;
        }
      ).login_path;
    const path = await mint();
    assert.equal((await raw(h.url, "GET", path)).status, 303);
    assert.equal((await raw(h.url, "GET", path)).status, 401, "a used code");
    assert.equal((await raw(h.url, "GET", "/console/login?code=guess")).status, 401);
    assert.equal((await raw(h.url, "POST", "/v1/admin/console/login-codes", consoleHeaders())).status, 401, "a session cannot mint codes");
    const late = await mint();
    h.clock.advance(10 * 60_000 + 1);
    assert.equal((await raw(h.url, "GET", late)).status, 401, "an expired code");
    const fresh = await login();
    assert.equal((await raw(h.url, "GET", "/v1/admin/bots", { ...consoleHeaders(), cookie: fresh })).status, 200);
    const out = await raw(h.url, "POST", "/console/logout", { ...consoleHeaders(), cookie: fresh });
    assert.equal(out.status, 204);
    assert.equal((await raw(h.url, "GET", "/v1/admin/bots", { ...consoleHeaders(), cookie: fresh })).status, 401, "after logout");
    h.clock.advance(12 * 60 * 60_000);
    assert.equal((await raw(h.url, "GET", "/v1/admin/bots", consoleHeaders())).status, 401, "after 12 hours");
  });

  it("serves only its own files, with CSP (no inline script), frame-ancestors 'none', nosniff and no-store; admin answers carry them too", async () => {
    const page = await raw(h.url, "GET", "/console/");
    assert.equal(page.status, 200);
    const csp = String(page.headers["content-security-policy"]);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers["x-content-type-options"], "nosniff");
    assert.doesNotMatch(page.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=/i, "inline script or handler in the page");
    assert.equal((await raw(h.url, "GET", "/console/app.js")).headers["content-type"], "text/javascript; charset=utf-8");
    for (const path of ["/console/../package.json", "/console/%2e%2e/package.json", "/console/console-gate.ts", "/console/admin-token"]) {
      assert.equal((await raw(h.url, "GET", path)).status, 404, path);
    }
    const admin = await raw(h.url, "GET", "/v1/admin/ca", { authorization: `Bearer ${ADMIN_TOKEN}` });
    assert.equal(admin.headers["cache-control"], "no-store");
    assert.match(String(admin.headers["content-security-policy"]), /frame-ancestors 'none'/);
  });
});
