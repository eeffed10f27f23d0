import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../support/temp-dir.js";
import { TRUST_DOMAIN, call, codeOf, snapshotStore, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";

// The API contract at the edge, through the router that the Lambda handlers and tessera dev share:
// request schemas refuse wrong types before a use case runs, and no path reaches a 5xx.
describe("API contract at the edge (shared router, embedded store)", () => {
  let h: IssuerHarness;
  let dir: Awaited<ReturnType<typeof makeTempDir>>;

  before(async () => {
    dir = await makeTempDir("contract-edge");
    h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path });
    const created = await call(h.url, "POST", "/v1/admin/bots", {
      admin: true,
      body: { name: "web", allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/web`] },
    });
    assert.equal(created.status, 201, created.text);
  });
  after(async () => {
    await h.close();
    await dir.remove();
  });

  it("refuses an emergency flag that is not a boolean instead of taking it as a normal rotation, and writes nothing", async () => {
    const before = await snapshotStore(h.runtime.store);
    const answer = await call(h.url, "POST", "/v1/admin/ca/rotate", { admin: true, body: { emergency: "yes", kind: "x509" } });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(codeOf(answer), "ERR_REQUEST_INVALID");
    assert.match((answer.json.error as { message: string }).message, /^admin: emergency must be true or false$/);
    assert.equal(await snapshotStore(h.runtime.store), before);
  });

  for (const [what, body, field] of [
    ["a bot name that is a number", { name: 42, allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/x`] }, "name"],
    [
      "a max_svid_ttl that is a string",
      { name: "x", allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/x`], max_svid_ttl: "3600" },
      "max_svid_ttl",
    ],
    ["allowed_spiffe_ids that are not strings", { name: "x", allowed_spiffe_ids: [{}] }, "allowed_spiffe_ids"],
    // Moved from admin/bots.test.ts when createBot's input became typed: the schema is the one type check.
    [
      "DNS rules that are not strings",
      { name: "x", allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/x`], allowed_dns_names: [42] },
      "allowed_dns_names",
    ],
    [
      "DNS rules that are not a list",
      { name: "x", allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/x`], allowed_dns_names: "web.internal" },
      "allowed_dns_names",
    ],
    ["a missing bot name", { allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/x`] }, "name"],
  ] as const) {
    it(`refuses ${what} with 400 naming the wire field, and writes nothing`, async () => {
      const before = await snapshotStore(h.runtime.store);
      const answer = await call(h.url, "POST", "/v1/admin/bots", { admin: true, body });
      assert.equal(answer.status, 400, answer.text);
      assert.equal(codeOf(answer), "ERR_REQUEST_INVALID");
      assert.match((answer.json.error as { message: string }).message, new RegExp(`\\b${field}\\b`));
      assert.equal(await snapshotStore(h.runtime.store), before);
    });
  }

  for (const path of ["/v1/admin/bots/%E0%A4%A", "/v1/crl/%ZZ", "/v1/admin/bots/web/instances/extra"]) {
    it(`answers ${path} with 404, not a 5xx`, async () => {
      const answer = await call(h.url, "GET", path, { admin: true });
      assert.equal(answer.status, 404, answer.text);
      assert.equal(codeOf(answer), "ERR_NOT_FOUND");
    });
  }

  it("decodes a path parameter once: a bot name with an encoded slash names no other route", async () => {
    const answer = await call(h.url, "GET", "/v1/admin/bots/web%2Finstances", { admin: true });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(codeOf(answer), "ERR_REQUEST_INVALID");
  });
});
