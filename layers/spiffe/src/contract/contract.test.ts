import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RequestInvalidError } from "../errors.js";
import { lastSvidsRoute } from "./admin-console-routes.js";
import * as v from "valibot";
import { createBotRoute, policyTestRoute, revokeRoute, showBotRoute } from "./admin-routes.js";
import { API_ROUTES, compileRoutes } from "./compile-routes.js";
import { x509SvidRoute } from "./issue-routes.js";
import { parseRequest } from "./parse-request.js";
import { routeKeyOf } from "./route-descriptor.js";

const raw = (body: Record<string, unknown>, params: Record<string, string> = {}) => ({ body, query: {}, params });

describe("parseRequest", () => {
  it("gives the typed body, unknown fields dropped", () => {
    const { body } = parseRequest(createBotRoute, raw({ name: "web", allowed_spiffe_ids: ["spiffe://example.org/web"], stray: 1 }));
    assert.deepEqual(body, { name: "web", allowed_spiffe_ids: ["spiffe://example.org/web"] });
  });
  it("refuses the first field of the wrong type with ERR_REQUEST_INVALID naming it", () => {
    assert.throws(
      () => parseRequest(createBotRoute, raw({ name: "web", allowed_spiffe_ids: "spiffe://example.org/web", max_svid_ttl: "1" })),
      (err: unknown) => err instanceof RequestInvalidError && err.message === "admin: allowed_spiffe_ids must be an array of strings",
    );
  });
  it("refuses a required field that is missing with ERR_REQUEST_INVALID naming it", () => {
    assert.throws(
      () => parseRequest(createBotRoute, raw({ allowed_spiffe_ids: ["spiffe://example.org/web"] })),
      (err: unknown) => err instanceof RequestInvalidError && err.message === "admin: name is required",
    );
    assert.throws(
      () => parseRequest(lastSvidsRoute, { body: {}, query: {}, params: { name: "web" } }),
      (err: unknown) => err instanceof RequestInvalidError && err.message === "admin: instances is required",
    );
  });
  it("refuses what the use cases no longer check: attribute values that are not strings, an instances view other than none", () => {
    const body = { bot: "web", spiffe_id: "spiffe://example.org/web", attributes: { account: 1 } };
    assert.throws(
      () => parseRequest(policyTestRoute, raw(body)),
      (err: unknown) => err instanceof RequestInvalidError && err.message === "issuer: attributes must be an object of strings",
    );
    assert.throws(
      () => parseRequest(policyTestRoute, raw({ ...body, attributes: ["account"] })),
      (err: unknown) => err instanceof RequestInvalidError && err.message === "issuer: attributes must be an object of strings",
    );
    assert.throws(
      () => parseRequest(showBotRoute, { body: {}, query: { instances: "all" }, params: { name: "web" } }),
      (err: unknown) => err instanceof RequestInvalidError && err.message === "admin: instances must be none (or absent: every instance)",
    );
    assert.deepEqual(parseRequest(showBotRoute, { body: {}, query: { instances: "none" }, params: { name: "web" } }).query, {
      instances: "none",
    });
  });
  it("passes a body its use case checks (and audits) as it came", () => {
    const body = { csr: 42, spiffe_id: ["x"] };
    assert.equal(parseRequest(x509SvidRoute, raw(body)).body, body);
  });
});

describe("response schemas", () => {
  it("a revocation's published[] is what the server sends: {publisher, changed} or {publisher, error}, nothing less", () => {
    const answer = (published: unknown[]) => ({ revoked: [], matched: 0, crls: [], published });
    assert.ok(
      v.is(
        revokeRoute.response,
        answer([
          { publisher: "aws_s3_crl", changed: true },
          { publisher: "x", error: "denied" },
        ]),
      ),
    );
    assert.equal(v.is(revokeRoute.response, answer([{ publisher: "aws_s3_crl" }])), false);
  });
});

describe("compileRoutes", () => {
  const routes = compileRoutes(API_ROUTES, (r) => r);
  it("finds every route by its key and by its method and path", () => {
    for (const route of API_ROUTES) {
      assert.equal(routes.byKey(routeKeyOf(route)), route);
      assert.equal(routes.match(route.method, route.path.replace(/\{[a-z_]+\}/g, "x"))?.route, route, routeKeyOf(route));
    }
  });
  it("decodes path parameters once and matches one segment only", () => {
    assert.deepEqual(routes.match("GET", "/v1/admin/bots/a%2Fb"), { route: showBotRoute, params: { name: "a/b" } });
    assert.equal(routes.match("GET", "/v1/admin/bots/a/b"), undefined);
    assert.equal(routes.match("POST", "/v1/admin/bots/a"), undefined);
  });
  it("matches no route for a malformed percent-encoding", () => {
    assert.equal(routes.match("GET", "/v1/admin/bots/%E0%A4%A"), undefined);
  });
  it("has one descriptor per route key", () => {
    assert.equal(new Set(API_ROUTES.map(routeKeyOf)).size, API_ROUTES.length);
  });
});
