import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BotLockedError, KmsThrottledError, TesseraError } from "../errors.js";
import * as errors from "../errors.js";
import * as v from "valibot";
import { defineRoute } from "../contract/route-descriptor.js";
import { createHttpHandler } from "./create-http-handler.js";
import { HTTP_STATUS_BY_CODE, statusForCode } from "./status-table.js";
import { bindRoute, type HttpEvent, type Route } from "./types.js";

const logged: { level: string; fields: Record<string, unknown> }[] = [];
const logger = {
  info: (_m: string, fields: Record<string, unknown>) => logged.push({ level: "info", fields }),
  warn: (_m: string, fields: Record<string, unknown>) => logged.push({ level: "warn", fields }),
  error: (_m: string, fields: Record<string, unknown>) => logged.push({ level: "error", fields }),
};

function event(
  routeKey: string,
  body?: string,
  headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" },
): HttpEvent {
  return {
    routeKey,
    rawPath: "/",
    rawQueryString: "",
    headers,
    isBase64Encoded: false,
    version: "2.0",
    requestContext: {} as never,
    ...(body !== undefined ? { body } : {}),
  } as HttpEvent;
}

describe("status table", () => {
  it("maps every error class Tessera defines that callers can cause to a status", () => {
    const codes = Object.values(errors)
      .filter((v): v is typeof TesseraError => typeof v === "function" && v.prototype instanceof TesseraError)
      .map((c) => c.code);
    const internal = new Set(["ERR_KEY_MANAGER", "ERR_STORE", "ERR_CONFIG", "ERR_KEY_NOT_FOUND", "ERR_X509SVID_INVALID"]);
    for (const code of codes) {
      if (internal.has(code)) assert.equal(statusForCode(code), 500, code);
      else assert.ok(HTTP_STATUS_BY_CODE[code], `no status for ${code}`);
    }
  });
  it("sends unknown codes to 500", () => assert.equal(statusForCode("ERR_WHATEVER"), 500));
});

describe("createHttpHandler", () => {
  const seen: unknown[] = [];
  const get = (path: string) =>
    defineRoute({ method: "GET", path, auth: "none", status: 200, maxBodyBytes: 0, request: {}, response: v.looseObject({}) });
  const echo = defineRoute({
    method: "POST",
    path: "/echo",
    auth: "none",
    status: 200,
    maxBodyBytes: 32,
    request: { body: v.looseObject({}) },
    response: v.looseObject({}),
  });
  const routes: Route[] = [
    bindRoute(echo, async ({ body }) => (seen.push(body), body)),
    bindRoute(get("/locked"), async () => {
      throw new BotLockedError("issuer: bot x is locked");
    }),
    bindRoute(get("/boom"), async () => {
      throw new Error("secret detail");
    }),
    bindRoute(get("/slow"), async () => {
      throw new KmsThrottledError("keymanager: throttled");
    }),
  ];
  const handler = createHttpHandler(routes, { logger });

  it("parses a JSON body within the route's cap", async () => {
    const res = await handler(event("POST /echo", '{"a":1}'));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(JSON.parse(res.body as string), { a: 1 });
  });
  it("refuses a body over the cap with 413 before the route runs", async () => {
    const before = seen.length;
    const res = await handler(event("POST /echo", JSON.stringify({ a: "x".repeat(40) })));
    assert.equal(res.statusCode, 413);
    assert.equal(JSON.parse(res.body as string).error.code, "ERR_BODY_TOO_LARGE");
    assert.equal(seen.length, before);
  });
  for (const type of [
    undefined,
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/jsonx",
    "multipart/form-data; boundary=x",
  ]) {
    it(`refuses a body of type ${type ?? "(none)"} with 415 ERR_UNSUPPORTED_MEDIA_TYPE before the route runs`, async () => {
      const before = seen.length;
      const res = await handler(event("POST /echo", '{"a":1}', type === undefined ? {} : { "content-type": type }));
      assert.equal(res.statusCode, 415);
      assert.equal(JSON.parse(res.body as string).error.code, "ERR_UNSUPPORTED_MEDIA_TYPE");
      assert.equal(seen.length, before);
    });
  }
  it("takes application/json with parameters, in any case", async () => {
    const res = await handler(event("POST /echo", '{"a":2}', { "Content-Type": "Application/JSON; charset=utf-8" }));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(JSON.parse(res.body as string), { a: 2 });
  });
  it("needs no content type for a request without a body", async () => {
    const res = await handler(event("POST /echo", undefined, { "content-type": "text/plain" }));
    assert.equal(res.statusCode, 200);
  });
  for (const body of ["{", "[1]", "null", '"x"']) {
    it(`refuses the body ${body} with ERR_REQUEST_INVALID`, async () => {
      const res = await handler(event("POST /echo", body));
      assert.equal(res.statusCode, 400);
      assert.equal(JSON.parse(res.body as string).error.code, "ERR_REQUEST_INVALID");
    });
  }
  it("shows a 4xx's code and message", async () => {
    const res = await handler(event("GET /locked"));
    assert.equal(res.statusCode, 403);
    assert.deepEqual(JSON.parse(res.body as string), { error: { code: "ERR_BOT_LOCKED", message: "issuer: bot x is locked" } });
  });
  it("hides an internal error behind a generic 500 and logs it", async () => {
    const res = await handler(event("GET /boom"));
    assert.equal(res.statusCode, 500);
    assert.ok(!(res.body as string).includes("secret detail"));
    assert.equal(JSON.parse(res.body as string).error.code, "ERR_INTERNAL");
    assert.ok(logged.some((l) => l.level === "error"));
  });
  it("answers KMS throttling with 503 and Retry-After", async () => {
    const res = await handler(event("GET /slow"));
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers?.["retry-after"], "2");
    assert.equal(JSON.parse(res.body as string).error.code, "ERR_KMS_THROTTLED");
  });
  it("answers an unknown route with 404", async () => {
    const res = await handler(event("GET /nope"));
    assert.equal(res.statusCode, 404);
    assert.equal(JSON.parse(res.body as string).error.code, "ERR_NOT_FOUND");
  });
});
