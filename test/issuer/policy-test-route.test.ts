import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../support/temp-dir.js";
import { TRUST_DOMAIN, call, codeOf, snapshotStore, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";

const ID = (path: string) => `spiffe://${TRUST_DOMAIN}${path}`;

describe("POST /v1/admin/policy/test: the issuer's own decision, without a credential and without a write", () => {
  let h: IssuerHarness;
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  const test = (body: unknown) => call(h.url, "POST", "/v1/admin/policy/test", { admin: true, body });

  before(async () => {
    dir = await makeTempDir("policy-test");
    h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path });
    for (const [name, extra] of [
      ["web", {}],
      ["frozen", {}],
    ] as const) {
      const created = await call(h.url, "POST", "/v1/admin/bots", {
        admin: true,
        body: {
          name,
          allowed_spiffe_ids: [ID("/web/*"), ID("/repo/{{repository}}"), ID("/i/{{instance}}")],
          allowed_dns_names: ["*.svc.internal"],
          join_rules: [
            { method: "token" },
            {
              method: "oidc",
              preset: "github",
              issuer: "https://token.actions.githubusercontent.com",
              audience: "tessera",
              claims: { repository_owner: "acme" },
            },
          ],
          max_svid_ttl: 7200,
          ...extra,
        },
      });
      assert.equal(created.status, 201, created.text);
    }
    const locked = await call(h.url, "POST", "/v1/admin/locks", {
      admin: true,
      body: { target: "bot", id: "frozen", locked: true, reason: "incident 7" },
    });
    assert.equal(locked.status, 200, locked.text);
  });
  after(async () => {
    await h.close();
    await dir.remove();
  });

  it("allows what the rules grant and says what the SVID would carry (DNS normalised, TTL bounded by the bot)", async () => {
    const answer = await test({ bot: "web", spiffe_id: ID("/web/api"), dns_names: ["API.svc.internal"], ttl: 86_400 });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.json, { allowed: true, spiffe_id: ID("/web/api"), dns_names: ["api.svc.internal"], ttl: 7200 });
    assert.equal(answer.headers.get("cache-control"), "no-store");
  });

  it("fills templates from the attributes and the instance given, as a join would", async () => {
    assert.equal((await test({ bot: "web", attributes: { repository: "tessera" }, spiffe_id: ID("/repo/tessera") })).json.allowed, true);
    assert.equal((await test({ bot: "web", instance: "i-1", spiffe_id: ID("/i/i-1") })).json.allowed, true);
    const noInstance = await test({ bot: "web", spiffe_id: ID("/i/i-1") });
    assert.equal(noInstance.json.code, "ERR_SPIFFEID_NOT_ALLOWED");
  });

  const refusals: [string, Record<string, unknown>, string, RegExp][] = [
    ["a SPIFFE ID no rule grants", { bot: "web", spiffe_id: ID("/db/main") }, "ERR_SPIFFEID_NOT_ALLOWED", /bot web may not ask for/],
    [
      "a template attribute that differs",
      { bot: "web", attributes: { repository: "other" }, spiffe_id: ID("/repo/tessera") },
      "ERR_SPIFFEID_NOT_ALLOWED",
      /may not ask/,
    ],
    [
      "another trust domain",
      { bot: "web", spiffe_id: "spiffe://other.org/web/api" },
      "ERR_SPIFFEID_NOT_ALLOWED",
      /outside the trust domain/,
    ],
    ["a malformed SPIFFE ID", { bot: "web", spiffe_id: "spiffe://example.org/web/../x" }, "ERR_SPIFFEID_INVALID", /./],
    [
      "a DNS name no rule grants",
      { bot: "web", spiffe_id: ID("/web/api"), dns_names: ["evil.example.com"] },
      "ERR_DNS_NAME_NOT_ALLOWED",
      /evil.example.com/,
    ],
    ["a bad TTL", { bot: "web", spiffe_id: ID("/web/api"), ttl: -1 }, "ERR_REQUEST_INVALID", /ttl/],
    [
      "DNS names on a JWT-SVID",
      { bot: "web", svid_type: "jwt", spiffe_id: ID("/web/api"), dns_names: ["a.svc.internal"] },
      "ERR_REQUEST_INVALID",
      /JWT-SVID/,
    ],
    ["a locked bot", { bot: "frozen", spiffe_id: ID("/web/api") }, "ERR_BOT_LOCKED", /bot frozen is locked/],
  ];
  for (const [what, body, code, reason] of refusals) {
    it(`refuses ${what} with ${code} and the reason a real request would get, writing nothing`, async () => {
      const before = await snapshotStore(h.runtime.store);
      const answer = await test(body);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json.allowed, false);
      assert.equal(answer.json.code, code);
      assert.match(answer.json.reason as string, reason);
      assert.equal(await snapshotStore(h.runtime.store), before, "a policy check wrote to the store");
    });
  }

  it("answers a malformed check with a 4xx and a stable code, and an unknown bot with 404", async () => {
    const before = await snapshotStore(h.runtime.store);
    for (const [body, status, code] of [
      [{ spiffe_id: ID("/web/api") }, 400, "ERR_REQUEST_INVALID"],
      [{ bot: "web", attributes: ["x"], spiffe_id: ID("/web/api") }, 400, "ERR_REQUEST_INVALID"],
      [{ bot: "web", attributes: { a: 1 }, spiffe_id: ID("/web/api") }, 400, "ERR_REQUEST_INVALID"],
      [{ bot: "web", svid_type: "ssh", spiffe_id: ID("/web/api") }, 400, "ERR_REQUEST_INVALID"],
      [{ bot: "nobody", spiffe_id: ID("/web/api") }, 404, "ERR_BOT_NOT_FOUND"],
    ] as const) {
      const answer = await test(body);
      assert.equal(answer.status, status, answer.text);
      assert.equal(codeOf(answer), code);
    }
    assert.equal(await snapshotStore(h.runtime.store), before);
  });

  it("needs the admin token", async () => {
    const answer = await call(h.url, "POST", "/v1/admin/policy/test", { body: { bot: "web", spiffe_id: ID("/web/api") } });
    assert.equal(answer.status, 401);
  });
});
