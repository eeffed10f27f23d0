import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../support/temp-dir.js";
import { TRUST_DOMAIN, call, codeOf, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";

describe("admin lists page on the server with cursors (bots, a bot's instances, join tokens, audit events)", () => {
  let h: IssuerHarness;
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  const get = (path: string) => call(h.url, "GET", path, { admin: true });
  async function walk(path: string, field: string): Promise<unknown[][]> {
    const pages: unknown[][] = [];
    let cursor: string | undefined;
    do {
      const answer = await get(`${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      assert.equal(answer.status, 200, answer.text);
      pages.push(answer.json[field] as unknown[]);
      cursor = answer.json.next_cursor as string | undefined;
    } while (cursor);
    return pages;
  }

  before(async () => {
    dir = await makeTempDir("admin-pages");
    h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path });
    for (const name of ["b3", "a1", "c5", "a2", "b4"]) {
      const created = await call(h.url, "POST", "/v1/admin/bots", {
        admin: true,
        body: { name, allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/${name}`], join_rules: [{ method: "token" }] },
      });
      assert.equal(created.status, 201, created.text);
    }
    for (let i = 0; i < 3; i++) {
      const token = await call(h.url, "POST", "/v1/admin/tokens", { admin: true, body: { bot_name: "a1" } });
      h.clock.advance(1000);
      const joined = await call(h.url, "POST", "/v1/join", { body: { join_method: "token", token: token.json.token } });
      assert.equal(joined.status, 200, joined.text);
    }
    for (let i = 0; i < 3; i++) await call(h.url, "POST", "/v1/join", { body: { join_method: "token", token: `not-a-token-${i}` } });
  });
  after(async () => {
    await h.close();
    await dir.remove();
  });

  it("pages bots by name and keeps the unpaged answer for old clients", async () => {
    const pages = await walk("/v1/admin/bots?limit=2", "bots");
    assert.deepEqual(
      pages.map((p) => p.map((b) => (b as { name: string }).name)),
      [["a1", "a2"], ["b3", "b4"], ["c5"]],
    );
    const all = await get("/v1/admin/bots");
    assert.equal((all.json.bots as unknown[]).length, 5);
    assert.equal(all.json.next_cursor, undefined);
  });

  it("pages a bot's instances, newest join first", async () => {
    const pages = await walk("/v1/admin/bots/a1/instances?limit=2", "instances");
    const created = pages.flat().map((i) => Date.parse((i as { created_at: string }).created_at));
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 1],
    );
    assert.deepEqual(
      created,
      [...created].sort((x, y) => y - x),
    );
    assert.equal((await get("/v1/admin/bots/nobody/instances")).status, 404);
    const bare = await get("/v1/admin/bots/a1?instances=none");
    assert.equal(bare.status, 200, bare.text);
    assert.equal(bare.json.name, "a1");
    assert.equal(bare.json.instances, undefined, "the bot alone: its instances come a page at a time");
    assert.equal(((await get("/v1/admin/bots/a1")).json.instances as unknown[]).length, 3);
    assert.equal((await get("/v1/admin/bots/a1?instances=all")).status, 400);
    assert.equal((await get("/v1/admin/bots/nobody?instances=none")).status, 404);
  });

  it("pages join tokens by hash, optionally of one bot", async () => {
    for (const bot of ["b3", "b3", "c5"])
      assert.equal((await call(h.url, "POST", "/v1/admin/tokens", { admin: true, body: { bot_name: bot } })).status, 201);
    const all = ((await get("/v1/admin/tokens")).json.tokens as { token_hash: string }[]).map((t) => t.token_hash);
    const pages = await walk("/v1/admin/tokens?limit=2", "tokens");
    assert.deepEqual(
      pages.flat().map((t) => (t as { token_hash: string }).token_hash),
      [...all].sort(),
    );
    assert.ok(pages.every((p) => p.length <= 2) && pages.length >= 2);
    const b3 = (await walk("/v1/admin/tokens?bot=b3&limit=1", "tokens")).flat() as { bot_name: string }[];
    assert.deepEqual(
      b3.map((t) => t.bot_name),
      ["b3", "b3"],
    );
    assert.equal((await get("/v1/admin/tokens?limit=2&bot=Not%20A%20Name")).status, 400);
  });

  it("pages audit events newest first, and type=refusals gives every refused request with its code", async () => {
    const all = (await walk("/v1/admin/audit?limit=1000", "events")).flat();
    const paged = (await walk("/v1/admin/audit?limit=3", "events")).flat();
    assert.deepEqual(paged, all);
    const refusals = (await walk("/v1/admin/audit?type=refusals&limit=2", "events")).flat() as { type: string; detail: { code: string } }[];
    assert.equal(refusals.length, 3);
    assert.ok(
      refusals.every((e) => e.type === "join_refused" && e.detail.code === "ERR_JOIN_TOKEN_INVALID"),
      JSON.stringify(refusals),
    );
    const byBot = (await walk("/v1/admin/audit?bot=a1&limit=1", "events")).flat() as { bot_name: string }[];
    assert.ok(byBot.length >= 4 && byBot.every((e) => e.bot_name === "a1"));
  });

  it("refuses a forged or malformed cursor and a bad limit with 400, never a 500", async () => {
    const forged = Buffer.from(JSON.stringify(["x", 1])).toString("base64url");
    for (const path of [
      `/v1/admin/audit?cursor=${forged}`,
      "/v1/admin/audit?cursor=%7B%7D",
      "/v1/admin/audit?cursor=bm90IGpzb24",
      "/v1/admin/bots?limit=0",
      "/v1/admin/bots?limit=1001",
      `/v1/admin/bots?cursor=${"x".repeat(600)}`,
    ]) {
      const answer = await get(path);
      assert.equal(answer.status, 400, `${path}: ${answer.text}`);
      assert.equal(codeOf(answer), "ERR_REQUEST_INVALID");
    }
  });
});
