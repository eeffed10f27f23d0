import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { listAuditRoute, showBotRoute } from "../contract/admin-routes.js";
import { IssuerApiError } from "./issuer-api-error.js";
import { IssuerClient, pathOf } from "./issuer-client.js";

describe("IssuerClient", () => {
  let server: Server;
  let answer = "";
  let status = 200;
  let answerHeaders: Record<string, string> = {};
  let url = "";
  const seen: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(status, { "content-type": "application/json", ...answerHeaders });
      res.end(answer);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const grant = { credential: "tbc1.x", bot_name: "web", instance_id: "i", generation: 1, expires_at: "2026-01-01T00:00:00.000Z" };

  it("takes an answer that matches the route's response schema, keeping fields it does not know", async () => {
    answer = JSON.stringify({ ...grant, extra: "kept" });
    const got = await new IssuerClient({ issuer: url }).joinWithToken("t");
    assert.deepEqual(got, { ...grant, extra: "kept" });
  });

  for (const [what, body] of [
    ["a credential that is not a string", JSON.stringify({ ...grant, credential: 42 })],
    ["a missing field", JSON.stringify({ ...grant, expires_at: undefined })],
    ["an answer that is not JSON", "<html>"],
  ] as const) {
    it(`refuses ${what} with ERR_RESPONSE_INVALID`, async () => {
      answer = body;
      await assert.rejects(
        new IssuerClient({ issuer: url }).joinWithToken("t"),
        (err: unknown) => err instanceof IssuerApiError && err.code === "ERR_RESPONSE_INVALID",
      );
    });
  }

  for (const [what, header, expected] of [
    ["the seconds form", "2", 2000],
    ["no header", undefined, undefined],
    ["an HTTP date", "Wed, 21 Oct 2015 07:28:00 GMT", undefined],
    ["a negative number", "-5", undefined],
    ["a fraction", "1.5", undefined],
  ] as const) {
    it(`carries Retry-After on the refusal: ${what}`, async () => {
      answer = JSON.stringify({ error: { code: "ERR_KMS_THROTTLED", message: "slow down" } });
      status = 503;
      answerHeaders = header === undefined ? {} : { "retry-after": header };
      try {
        await assert.rejects(
          new IssuerClient({ issuer: url }).joinWithToken("t"),
          (err: unknown) =>
            err instanceof IssuerApiError && err.status === 503 && err.code === "ERR_KMS_THROTTLED" && err.retryAfterMs === expected,
        );
      } finally {
        status = 200;
        answerHeaders = {};
      }
    });
  }

  it("encodes path parameters, so a name cannot reach another route", () => {
    assert.equal(pathOf(showBotRoute, { params: { name: "web/instances" } }), "/v1/admin/bots/web%2Finstances");
    assert.equal(pathOf(showBotRoute, { params: { name: "../tokens" } }), "/v1/admin/bots/..%2Ftokens");
  });

  it("puts defined query fields in the query string, encoded", () => {
    assert.equal(pathOf(listAuditRoute, { query: { bot: "a&b=c", spiffe_id: undefined } }), "/v1/admin/audit?bot=a%26b%3Dc");
    assert.equal(pathOf(listAuditRoute, {}), "/v1/admin/audit");
  });
});
