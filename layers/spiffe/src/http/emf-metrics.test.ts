import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as v from "valibot";
import { defineRoute } from "../contract/route-descriptor.js";
import { BotLockedError } from "../errors.js";
import { createHttpHandler } from "./create-http-handler.js";
import { createEmfMetrics } from "./emf-metrics.js";
import { bindRoute, type HttpEvent } from "./types.js";

type Emf = { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }; [key: string]: unknown };

describe("EMF metrics and the Lambda context in the router", () => {
  const lines: Emf[] = [];
  const write = process.stdout.write.bind(process.stdout);
  before(() => {
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      const text = String(chunk);
      if (text.includes('"_aws"')) {
        for (const line of text.split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Emf);
        return true;
      }
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
  });
  after(() => {
    process.stdout.write = write;
  });

  const contexts: object[] = [];
  const logger = { info: () => undefined, error: () => undefined, addContext: (context: object) => void contexts.push(context) };
  const issued = defineRoute({
    method: "POST",
    path: "/svid",
    auth: "none",
    status: 200,
    maxBodyBytes: 0,
    request: {},
    response: v.object({}),
    successMetric: "X509SvidsIssued",
  });
  const locked = defineRoute({
    method: "GET",
    path: "/locked",
    auth: "none",
    status: 200,
    maxBodyBytes: 0,
    request: {},
    response: v.object({}),
  });
  const handler = createHttpHandler(
    [
      bindRoute(issued, async () => ({})),
      bindRoute(locked, async () => {
        throw new BotLockedError("issuer: bot x is locked");
      }),
    ],
    { logger, metrics: createEmfMetrics({ functionName: "tessera-issue" }) },
  );
  const context = { awsRequestId: "req-1", functionName: "tessera-issue" };
  const event = (routeKey: string) =>
    ({
      routeKey,
      rawPath: "/",
      rawQueryString: "",
      headers: {},
      isBase64Encoded: false,
      version: "2.0",
      requestContext: {},
    }) as unknown as HttpEvent;
  const named = (name: string) => lines.filter((l) => l._aws.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === name)));

  it("counts an issued SVID and puts the Lambda context on the logger", async () => {
    const res = await handler(event("POST /svid"), context);
    assert.equal(res.statusCode, 200);
    assert.equal(named("X509SvidsIssued").length, 1);
    assert.equal(named("X509SvidsIssued")[0]!.X509SvidsIssued, 1);
    assert.deepEqual(contexts, [context]);
  });

  it("counts a refusal by its code", async () => {
    const res = await handler(event("GET /locked"), context);
    assert.equal(res.statusCode, 403);
    const refusals = named("Refusals");
    assert.equal(refusals.length, 1);
    assert.equal(refusals[0]!.code, "ERR_BOT_LOCKED");
    assert.equal(named("X509SvidsIssued").length, 1, "a refusal counts no SVID");
  });
});
