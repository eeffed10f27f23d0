import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelayMs, type BackoffPolicy } from "./backoff.js";

const policy = (jitter: BackoffPolicy["jitter"]): BackoffPolicy => ({ baseMs: 100, maxMs: 1000, jitter });

describe("backoffDelayMs", () => {
  it("doubles the ceiling from baseMs with every retry, up to maxMs", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 60].map((retry) => backoffDelayMs(retry, policy("none"))),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
  });

  it("full jitter draws from 0 to the ceiling", () => {
    assert.equal(
      backoffDelayMs(3, policy("full"), () => 0),
      0,
    );
    assert.equal(
      backoffDelayMs(3, policy("full"), () => 0.5),
      200,
    );
    assert.equal(
      backoffDelayMs(3, policy("full"), () => 0.999),
      399.6,
    );
  });

  it("equal jitter draws from half the ceiling to all of it", () => {
    assert.equal(
      backoffDelayMs(3, policy("equal"), () => 0),
      200,
    );
    assert.equal(
      backoffDelayMs(3, policy("equal"), () => 0.5),
      300,
    );
    assert.equal(
      backoffDelayMs(3, policy("equal"), () => 0.999),
      399.8,
    );
  });

  it("stays within its bounds with the real random source", () => {
    for (let retry = 1; retry <= 8; retry++) {
      const ceiling = Math.min(1000, 100 * 2 ** (retry - 1));
      const equal = backoffDelayMs(retry, policy("equal"));
      const full = backoffDelayMs(retry, policy("full"));
      assert.ok(equal >= ceiling / 2 && equal <= ceiling, `equal ${equal} for retry ${retry}`);
      assert.ok(full >= 0 && full <= ceiling, `full ${full} for retry ${retry}`);
    }
  });

  it("treats retry 0 or less as the first retry", () => {
    assert.equal(backoffDelayMs(0, policy("none")), 100);
  });
});
