// Every AWS client Tessera builds from its configuration sends its requests to the configured
// endpoint and nowhere else: a loopback server stands in for AWS and counts what reaches it.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Bundle, TrustDomain } from "#tessera/core";
import { loadConfig } from "#tessera/issuer";
import { createBundlePublishers, createTrustAnchorCalls, getTrustAnchor } from "#tessera/aws";
import { buildRuntime } from "#tessera/dev";

const seen: { host: string | undefined; target: string }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  req.resume();
  req.on("end", () => {
    seen.push({ host: req.headers.host, target: `${req.method} ${req.url} ${String(req.headers["x-amz-target"] ?? "")}` });
    res.writeHead(400, { "content-type": "application/json", "x-amzn-errortype": "ValidationException" });
    res.end(JSON.stringify({ __type: "ValidationException", message: "loopback stand-in" }));
  });
});

describe("AWS endpoints", () => {
  let endpoint: string;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends every client's request to AWS_ENDPOINT_URL (process.env points elsewhere)", async () => {
    const config = loadConfig({
      TESSERA_TRUST_DOMAIN: "example.org",
      TESSERA_TABLE_NAME: "tessera",
      TESSERA_BUNDLE_BUCKET: "bundle",
      TESSERA_TRUST_ANCHOR_ID: "00000000-0000-4000-8000-000000000000",
      AWS_ENDPOINT_URL: endpoint,
    });
    const runtime = await buildRuntime(config);
    const calls = createTrustAnchorCalls({ endpoint: config.awsEndpoints.rolesanywhere, pacing: { minIntervalMs: 0 } });
    const bundle = new Bundle({ trustDomain: TrustDomain.fromString("example.org") });
    const attempts: Promise<unknown>[] = [
      runtime.keys.listKeys(),
      runtime.store.getJournal("x509"),
      getTrustAnchor(calls, "00000000-0000-4000-8000-000000000000"),
      ...createBundlePublishers(config, { pacing: { minIntervalMs: 0 } }).map((p) => p.publishBundle(bundle)),
    ];
    const outcomes = await Promise.allSettled(attempts.map((a) => withTimeout(a, 5000)));
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") assert.doesNotMatch(String(outcome.reason), /timed out|ENOTFOUND|ECONNREFUSED|EAI_AGAIN/);
    }
    const host = new URL(endpoint).host;
    assert.deepEqual(
      seen.filter((r) => r.host !== host),
      [],
    );
    const services = ["TrentService.ListAliases", "DynamoDB_20120810.GetItem", "GET /trustanchor/", "bundle"];
    for (const service of services) {
      assert.ok(
        seen.some((r) => r.target.includes(service)),
        `no request for ${service} reached the endpoint: ${JSON.stringify(seen)}`,
      );
    }
    await runtime.close();
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
