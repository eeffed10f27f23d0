import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { KMSClient } from "@aws-sdk/client-kms";
import { parseAgentConfig } from "../../agent/config/index.js";
import { createAgentLogger } from "../../agent/logger.js";
import { startAgent, type RunningAgent } from "../../agent/run-agent.js";
import { WorkloadApiClient } from "../../cli/commands/workload-api-client.js";
import { parseCertificates } from "#tessera/core";
import { createBot, createJoinToken } from "#tessera/issuer";
import { createKmsClient, KmsKeyManager } from "#tessera/aws";
import { startAwsIssuer } from "../support/aws-issuer.js";
import { call, expectRefusal, makeCsr, type IssuerHarness } from "../support/issuer-harness.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

const TD = "example.org";
const WORKLOAD_ID = `spiffe://${TD}/throttled/web`;
/** Tries the issuer's KMS client makes per call here (production: 4), with short waits so the test is quick. */
const KMS_TRIES = 3;

/**
 * A KMS client on the emulator that answers `Sign` with KMS's own ThrottlingException (HTTP 400,
 * `__type: ThrottlingException`) while `throttling` is on. The answer is made below the SDK's
 * deserializer and retry middleware, so the SDK parses and retries it exactly as one from AWS.
 */
function throttlingKmsClient(): { client: KMSClient; throttle: { on: boolean; refused: number } } {
  const throttle = { on: false, refused: 0 };
  const client = createKmsClient({ retry: { maxAttempts: KMS_TRIES, backoff: { baseMs: 20, maxMs: 50, jitter: "equal" } } });
  client.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      if (!throttle.on || headers["x-amz-target"] !== "TrentService.Sign") return next(args);
      throttle.refused++;
      const body = Readable.from([Buffer.from(JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }))]);
      return {
        output: undefined as never,
        response: { statusCode: 400, reason: "Bad Request", headers: { "content-type": "application/x-amz-json-1.1" }, body },
      };
    },
    { step: "deserialize", priority: "low", name: "testThrottleSign" },
  );
  return { client, throttle };
}

interface X509Response {
  svids: { spiffe_id: string; x509_svid: Buffer }[];
}
const serialOf = (res: X509Response) =>
  new X509Certificate(parseCertificates(new Uint8Array(res.svids[0]!.x509_svid))[0] as Uint8Array).serialNumber;

describe("KMS throttling, from the issuer to the agent (DynamoDB and KMS on the AWS endpoint)", () => {
  const lines: string[] = [];
  const logger = createAgentLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });
  const { client: kms, throttle } = throttlingKmsClient();
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let h: IssuerHarness;
  let agent: RunningAgent;
  let workloadApi: WorkloadApiClient;
  let credential: string;

  before(async () => {
    tmp = await makeTempDir("kms-throttling");
    const run = Math.random().toString(36).slice(2, 10);
    h = await startAwsIssuer({}, { keys: new KmsKeyManager({ client: kms, aliasPrefix: `alias/tessera-test/${run}/` }) });
    await createBot(h.runtime.admin, { name: "throttled", allowedSpiffeIds: [`spiffe://${TD}/throttled/*`] }, "test");
    const { token } = await createJoinToken(h.runtime.admin, { botName: "throttled", uses: 2 }, "test");
    credential = (await call(h.url, "POST", "/v1/join", { body: { join_method: "token", token } })).json.credential as string;
    const socketPath = join(tmp.path, "run", "api.sock");
    const config = parseAgentConfig(
      `version: v1
issuer: ${h.url}
trust_domain: ${TD}
onboarding:
  join_method: token
  token: ${token}
storage:
  directory: ${join(tmp.path, "agent-state")}
services:
  - type: workload-identity-api
    listen: unix://${socketPath}
    identities:
      - spiffe_id: ${WORKLOAD_ID}
        selectors: ["unix:uid:${process.getuid!()}"]
        ttl: 10m
`,
      { baseDir: tmp.path },
    );
    agent = await startAgent({ config, logger });
    await agent.manager.ready(30_000);
    workloadApi = new WorkloadApiClient(socketPath);
  });
  after(async () => {
    throttle.on = false;
    workloadApi?.close();
    await agent?.stop();
    await h?.close();
    kms.destroy();
    await tmp?.remove();
  });

  it("answers a throttled X.509-SVID or JWT-SVID request 503 ERR_KMS_THROTTLED with Retry-After, after retrying KMS, and writes nothing", async () => {
    const { csr } = await makeCsr();
    throttle.on = true;
    try {
      for (const [path, body] of [
        ["/v1/svids/x509", { csr, spiffe_id: WORKLOAD_ID }],
        ["/v1/svids/jwt", { spiffe_id: WORKLOAD_ID, audience: ["db"] }],
      ] as const) {
        const refusedBefore = throttle.refused;
        let retryAfter: string | null = null;
        await expectRefusal(
          h.runtime.store,
          async () => {
            const answer = await call(h.url, "POST", path, { bearer: credential, body });
            retryAfter = answer.headers.get("retry-after");
            return answer;
          },
          { status: 503, code: "ERR_KMS_THROTTLED" },
        );
        assert.equal(retryAfter, "2", path);
        assert.equal(throttle.refused - refusedBefore, KMS_TRIES, `${path}: the issuer tries KMS ${KMS_TRIES} times before answering`);
      }
    } finally {
      throttle.on = false;
    }
    const issued = await call(h.url, "POST", "/v1/svids/x509", { bearer: credential, body: { csr, spiffe_id: WORKLOAD_ID } });
    assert.equal(issued.status, 200, issued.text);
  });

  it("the agent backs off with jitter while throttled, keeps serving its valid SVID, and renews once throttling stops", async () => {
    const held = serialOf(await workloadApi.first<X509Response>("FetchX509SVID"));
    const from = lines.length;
    const failures = () =>
      lines
        .slice(from)
        .map((l) => JSON.parse(l) as { msg: string; code?: string; retry_in_ms?: number })
        .filter((l) => l.msg.startsWith("could not get the X.509-SVID; serving the current one"));
    throttle.on = true;
    try {
      await agent.manager.renewNow();
      await waitFor("three failed renewals", () => failures().length >= 3 || undefined, 30_000);
      const served = await workloadApi.first<X509Response>("FetchX509SVID");
      assert.equal(served.svids[0]?.spiffe_id, WORKLOAD_ID);
      assert.equal(serialOf(served), held, "the still-valid SVID is served while the issuer is throttled");
      assert.equal(agent.manager.status().svids[0]?.ready, true);
    } finally {
      throttle.on = false;
    }
    // The schedule the agent chose after each failure: equal jitter, half to all of 2, 4, 8 s, and
    // never sooner than the issuer's Retry-After (2 s), so the first retry waits exactly 2 s.
    const delays = failures()
      .slice(0, 3)
      .map((f) => {
        assert.equal(f.code, "ERR_KMS_THROTTLED");
        return f.retry_in_ms as number;
      });
    delays.forEach((delay, i) => {
      const ceiling = 2000 * 2 ** i;
      const floor = Math.max(ceiling / 2, 2000);
      assert.ok(delay >= floor && delay <= ceiling, `retry ${i + 1} in ${delay} ms, expected ${floor} to ${ceiling}`);
    });
    assert.ok(
      delays.some((delay, i) => delay !== 2000 * 2 ** i),
      `jittered, not the bare ceilings: ${delays.join(", ")}`,
    );
    const renewed = await waitFor(
      "the renewal after throttling stops",
      async () => {
        const serial = serialOf(await workloadApi.first<X509Response>("FetchX509SVID"));
        return serial !== held ? serial : undefined;
      },
      30_000,
    );
    assert.notEqual(renewed, held);
    assert.ok(lines.slice(from).some((l) => l.includes('"msg":"X.509-SVID issued"')));
  });
});
