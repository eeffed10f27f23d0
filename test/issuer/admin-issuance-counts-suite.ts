// Issuance counts (`GET /v1/admin/stats/issuance`) and instances' last SVIDs
// (`GET /v1/admin/bots/{name}/last-svids`) over a store that pages the audit trail: run against the
// embedded store and against DynamoDB, so both stores' paging is what is read.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type AuditEvent, type AuditEventType, countIssuance, findLastX509Svids } from "#tessera/issuer";
import { TRUST_DOMAIN, call, codeOf, type IssuerHarness } from "../support/issuer-harness.js";

const HOUR = 3_600_000;
const id = (path: string) => `spiffe://${TRUST_DOMAIN}/${path}`;

/** Run the issuance-count checks against the issuer `start` gives. */
export function runIssuanceCountSuite(name: string, start: () => Promise<IssuerHarness>): void {
  describe(`issuance counts from the audit trail (${name})`, () => {
    let h: IssuerHarness;
    let hourStart: number;
    const get = (path: string) => call(h.url, "GET", path, { admin: true });
    const event = (type: AuditEventType, time: number, bot: string, path: string): AuditEvent => ({
      id: randomUUID(),
      type,
      time,
      botName: bot,
      instanceId: `${bot}-1`,
      spiffeId: id(path),
      ...(type.endsWith("_refused")
        ? { detail: { code: "ERR_SPIFFEID_NOT_ALLOWED", reason: "test" } }
        : { serialOrJti: randomUUID(), expiresAt: time + HOUR }),
    });

    before(async () => {
      h = await start();
      const now = h.clock.now().getTime();
      hourStart = Math.floor(now / HOUR) * HOUR;
      const events = [
        // The current hour: 2 X.509 (web/api twice), 1 JWT (web/api), a refusal that is not counted.
        event("x509_svid", hourStart + 1, "web", "web/api"),
        event("x509_svid", hourStart + 2, "web", "web/api"),
        event("jwt_svid", hourStart + 3, "web", "web/api"),
        event("svid_refused", hourStart + 4, "web", "payments/db"),
        // Three hours back: billing.
        event("x509_svid", hourStart - 3 * HOUR + 10, "billing", "billing/worker"),
        event("jwt_svid", hourStart - 3 * HOUR + 11, "billing", "billing/worker"),
        // The oldest hour of the 24-hour window, and one just before it (not counted).
        event("x509_svid", hourStart - 23 * HOUR, "web", "web/cron"),
        event("x509_svid", hourStart - 23 * HOUR - 1, "web", "web/old"),
        // Two days back.
        event("x509_svid", hourStart - 48 * HOUR, "web", "web/older"),
      ];
      for (const e of events) await h.runtime.store.appendAudit(e);
    });
    after(async () => {
      await h?.close();
    });

    it("counts X.509- and JWT-SVIDs per hour over the last 24 hours, per SPIFFE ID and per bot", async () => {
      const answer = await get("/v1/admin/stats/issuance");
      assert.equal(answer.status, 200, answer.text);
      const body = answer.json as Record<string, unknown>;
      assert.equal(body.since, new Date(hourStart - 23 * HOUR).toISOString());
      assert.equal(body.until, new Date(hourStart + HOUR).toISOString());
      assert.equal(body.bucket_seconds, 3600);
      const zeros = () => new Array<number>(24).fill(0);
      const x509 = zeros();
      x509[23] = 2;
      x509[20] = 1;
      x509[0] = 1;
      const jwt = zeros();
      jwt[23] = 1;
      jwt[20] = 1;
      assert.deepEqual(body.x509, x509);
      assert.deepEqual(body.jwt, jwt);
      const series = (counts: Record<number, number>) => Object.assign(zeros(), counts);
      assert.deepEqual(body.per_spiffe_id, [
        { spiffe_id: id("web/api"), total: 3, counts: series({ 23: 3 }) },
        { spiffe_id: id("billing/worker"), total: 2, counts: series({ 20: 2 }) },
        { spiffe_id: id("web/cron"), total: 1, counts: series({ 0: 1 }) },
      ]);
      assert.deepEqual(body.per_bot, [
        { bot_name: "web", total: 4, counts: series({ 0: 1, 23: 3 }) },
        { bot_name: "billing", total: 2, counts: series({ 20: 2 }) },
      ]);
      assert.deepEqual([body.spiffe_ids, body.bots, body.scanned, body.capped, body.counted_since], [3, 2, 6, false, body.since]);
    });

    it("takes the window, the bucket and the number of series from the query", async () => {
      const answer = await get("/v1/admin/stats/issuance?hours=72&bucket_minutes=1440&top=1");
      assert.equal(answer.status, 200, answer.text);
      const body = answer.json as { x509: number[]; jwt: number[]; per_bot: unknown[]; bots: number; scanned: number };
      assert.equal(body.x509.length, 3);
      assert.equal(body.x509.reduce((a, b) => a + b, 0) + body.jwt.reduce((a, b) => a + b, 0), body.scanned);
      assert.equal(body.scanned, 8, "every SVID: all fall in the last three days");
      assert.equal(body.per_bot.length, 1);
      assert.equal(body.bots, 2);
      const finest = await get("/v1/admin/stats/issuance?hours=168&bucket_minutes=5&top=50");
      assert.equal(finest.status, 200, finest.text);
      assert.equal((finest.json.x509 as number[]).length, 2016, "a week of 5-minute buckets, the most the query allows");
    });

    it("pages the audit trail through the store and says when the scan cap was hit", async () => {
      const deps = { store: h.runtime.store, clock: h.clock };
      const paged = await countIssuance({ ...deps, scan: { pageSize: 2, cap: 100 } });
      assert.equal(paged.scanned, 6);
      assert.equal(paged.capped, false);
      assert.deepEqual(
        paged.perBot.map((s) => [s.key, s.total]),
        [
          ["web", 4],
          ["billing", 2],
        ],
      );

      const exact = await countIssuance({ ...deps, scan: { pageSize: 2, cap: 6 } });
      assert.deepEqual([exact.scanned, exact.capped], [6, false], "a cap that every event fits is not hit");

      const capped = await countIssuance({ ...deps, scan: { pageSize: 2, cap: 4 } });
      assert.deepEqual([capped.scanned, capped.capped], [4, true]);
      assert.equal(capped.countedSince, hourStart - 3 * HOUR + 11, "complete back to the oldest event counted");
      assert.equal(capped.x509.reduce((a, b) => a + b, 0) + capped.jwt.reduce((a, b) => a + b, 0), 4);
    });

    it("refuses bad query parameters with 400 ERR_REQUEST_INVALID, never a 500", async () => {
      for (const q of [
        "hours=0",
        "hours=169",
        "hours=abc",
        "hours=1e3",
        "hours=-1",
        "bucket_minutes=7",
        "bucket_minutes=4",
        "bucket_minutes=2880",
        "top=0",
        "top=51",
        "top=1.5",
      ]) {
        const answer = await get(`/v1/admin/stats/issuance?${q}`);
        assert.equal(answer.status, 400, `${q}: ${answer.text}`);
        assert.equal(codeOf(answer), "ERR_REQUEST_INVALID");
      }
    });

    it("finds each instance's last X.509-SVID, reading the bot's events only as far as needed", async () => {
      const answer = await get("/v1/admin/bots/web/last-svids?instances=web-1,web-2");
      assert.equal(answer.status, 200, answer.text);
      const found = answer.json.last_svids as { instance_id: string; spiffe_id: string; time: string }[];
      assert.deepEqual(
        found.map((e) => [e.instance_id, e.spiffe_id, e.time]),
        [["web-1", id("web/api"), new Date(hourStart + 2).toISOString()]],
      );
      assert.deepEqual([answer.json.scanned, answer.json.capped], [5, false], "every X.509 event of web was read looking for web-2");

      const deps = { store: h.runtime.store };
      assert.equal(
        (await findLastX509Svids({ ...deps, scan: { pageSize: 1, cap: 100 } }, "web", "web-1")).scanned,
        1,
        "stops once every instance is found",
      );
      const capped = await findLastX509Svids({ ...deps, scan: { pageSize: 1, cap: 2 } }, "web", "web-2");
      assert.deepEqual([capped.events.length, capped.scanned, capped.capped], [0, 2, true]);
      const billing = await findLastX509Svids(deps, "billing", "billing-1,web-1");
      assert.deepEqual(
        billing.events.map((e) => [e.instanceId, e.spiffeId]),
        [["billing-1", id("billing/worker")]],
        "only the bot's own events",
      );
    });

    it("refuses a bad bot name or instance list with 400 ERR_REQUEST_INVALID", async () => {
      const many = Array.from({ length: 101 }, (_, i) => `i-${i}`).join(",");
      for (const path of [
        "/v1/admin/bots/web/last-svids",
        "/v1/admin/bots/web/last-svids?instances=",
        `/v1/admin/bots/web/last-svids?instances=${many}`,
        "/v1/admin/bots/web/last-svids?instances=a%2Fb",
        "/v1/admin/bots/web/last-svids?instances=a,,b",
        "/v1/admin/bots/Bad%20Name/last-svids?instances=a",
      ]) {
        const answer = await get(path);
        assert.equal(answer.status, 400, `${path}: ${answer.text}`);
        assert.equal(codeOf(answer), "ERR_REQUEST_INVALID");
      }
    });

    it("answers only the admin", async () => {
      for (const path of ["/v1/admin/stats/issuance", "/v1/admin/ca/trust-anchor", "/v1/admin/bots/web/last-svids?instances=web-1"]) {
        const answer = await call(h.url, "GET", path, { bearer: "not-the-admin-token" });
        assert.equal(answer.status, 401, answer.text);
        assert.equal(codeOf(answer), "ERR_UNAUTHORIZED");
      }
    });
  });
}
