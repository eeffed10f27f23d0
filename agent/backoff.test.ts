import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_RETRY_AFTER_MS, retryAfterFloorMs, retryDelayMs } from "./backoff.js";
import { IssuerApiError } from "./issuer-client.js";

const throttled = (retryAfterMs?: number) =>
  new IssuerApiError(503, "ERR_KMS_THROTTLED", "slow down", retryAfterMs === undefined ? {} : { retryAfterMs });
const lowest = () => 0;
const highest = () => 0.999999;

describe("the agent's retry schedule", () => {
  it("without Retry-After keeps its own equal-jitter backoff: half to all of 2, 4, 8 s", () => {
    for (const err of [undefined, new Error("unreachable"), throttled()]) {
      assert.deepEqual(
        [1, 2, 3].map((n) => retryDelayMs(n, err, lowest)),
        [1000, 2000, 4000],
      );
      assert.deepEqual(
        [1, 2, 3].map((n) => retryDelayMs(n, err, highest)),
        [2000, 4000, 8000],
      );
    }
  });

  it("waits at least the issuer's Retry-After, however low its own jitter draws", () => {
    assert.equal(retryDelayMs(1, throttled(2000), lowest), 2000);
    assert.equal(retryDelayMs(1, throttled(2000), highest), 2000);
    assert.equal(retryDelayMs(1, throttled(30_000), highest), 30_000);
  });

  it("keeps its own backoff when that is longer than Retry-After", () => {
    assert.equal(retryDelayMs(3, throttled(2000), lowest), 4000);
    assert.equal(retryDelayMs(6, throttled(2000), highest), 60_000);
  });

  it("bounds Retry-After to five minutes, so an issuer cannot park the agent for good", () => {
    assert.equal(MAX_RETRY_AFTER_MS, 300_000);
    assert.equal(retryDelayMs(1, throttled(86_400_000), lowest), MAX_RETRY_AFTER_MS);
    assert.equal(retryAfterFloorMs(throttled(9_999_999_999_000)), MAX_RETRY_AFTER_MS);
  });

  it("takes Retry-After only from an issuer refusal", () => {
    assert.equal(retryAfterFloorMs(undefined), 0);
    assert.equal(retryAfterFloorMs(Object.assign(new Error("x"), { retryAfterMs: 60_000 })), 0);
    assert.equal(retryAfterFloorMs(throttled(0)), 0);
  });
});
