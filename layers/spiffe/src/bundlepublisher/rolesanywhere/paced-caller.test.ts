import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isRetryableRolesAnywhereError, PacedCaller } from "./paced-caller.js";

function awsError(name: string, status?: number): Error {
  return Object.assign(new Error(name), { name, $metadata: status === undefined ? {} : { httpStatusCode: status } });
}

/** A clock that only moves when the caller sleeps. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; waits: number[] } {
  let now = 1_000_000;
  const waits: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    waits,
  };
}

describe("PacedCaller", () => {
  it("spaces calls at least minIntervalMs apart, the first one without waiting", async () => {
    const time = fakeTime();
    const caller = new PacedCaller({ minIntervalMs: 1100, now: time.now, sleep: time.sleep });
    const startedAt: number[] = [];
    const call = () => caller.call("GetTrustAnchor", async () => void startedAt.push(time.now()));
    await Promise.all([call(), call(), call()]);
    assert.deepEqual(time.waits, [1100, 1100]);
    assert.deepEqual(startedAt, [1_000_000, 1_001_100, 1_002_200]);
  });

  it("does not wait when the interval has passed already", async () => {
    const time = fakeTime();
    const caller = new PacedCaller({ minIntervalMs: 1100, now: time.now, sleep: time.sleep });
    await caller.call("A", async () => 1);
    await time.sleep(5000);
    time.waits.length = 0;
    assert.equal(await caller.call("B", async () => 2), 2);
    assert.deepEqual(time.waits, []);
  });

  it("retries throttling with growing backoff, then returns the result", async () => {
    const time = fakeTime();
    const caller = new PacedCaller({ minIntervalMs: 0, baseDelayMs: 1000, maxDelayMs: 8000, now: time.now, sleep: time.sleep });
    const failures = [awsError("ThrottlingException"), awsError("TooManyRequestsException", 429), awsError("InternalServerException", 500)];
    let calls = 0;
    const result = await caller.call("UpdateTrustAnchor", async () => {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      return "done";
    });
    assert.equal(result, "done");
    assert.equal(calls, 4);
    assert.equal(time.waits.length, 3);
    for (const [i, wait] of time.waits.entries()) {
      const ceiling = 1000 * 2 ** i;
      assert.ok(wait >= ceiling / 2 && wait <= ceiling, `backoff ${i} was ${wait}, expected ${ceiling / 2}..${ceiling}`);
    }
  });

  it("gives up after maxAttempts with a BundlePublishError naming the operation", async () => {
    const time = fakeTime();
    const caller = new PacedCaller({ minIntervalMs: 0, maxAttempts: 3, now: time.now, sleep: time.sleep });
    let calls = 0;
    const throttled = awsError("ThrottlingException");
    await assert.rejects(
      caller.call("UpdateTrustAnchor", async () => {
        calls++;
        throw throttled;
      }),
      (err: Error & { code?: string }) =>
        err.code === "ERR_BUNDLE_PUBLISH" &&
        err.message === "bundlepublisher: Roles Anywhere UpdateTrustAnchor failed after 3 tries (ThrottlingException)" &&
        err.cause === throttled,
    );
    assert.equal(calls, 3);
  });

  it("does not retry an error a later try cannot fix", async () => {
    const time = fakeTime();
    const caller = new PacedCaller({ minIntervalMs: 0, now: time.now, sleep: time.sleep });
    let calls = 0;
    await assert.rejects(
      caller.call("GetTrustAnchor", async () => {
        calls++;
        throw awsError("AccessDeniedException", 403);
      }),
      { code: "ERR_BUNDLE_PUBLISH", message: "bundlepublisher: Roles Anywhere GetTrustAnchor failed (AccessDeniedException)" },
    );
    assert.equal(calls, 1);
    assert.deepEqual(time.waits, []);
  });

  it("keeps pacing after a failed call", async () => {
    const time = fakeTime();
    const caller = new PacedCaller({ minIntervalMs: 1100, now: time.now, sleep: time.sleep });
    await assert.rejects(caller.call("A", async () => Promise.reject(awsError("ValidationException", 400))));
    await caller.call("B", async () => undefined);
    assert.deepEqual(time.waits, [1100]);
  });
});

describe("isRetryableRolesAnywhereError", () => {
  const cases: [string, unknown, boolean][] = [
    ["ThrottlingException", awsError("ThrottlingException"), true],
    ["HTTP 429", awsError("Unknown", 429), true],
    ["HTTP 503", awsError("Unknown", 503), true],
    ["TimeoutError", awsError("TimeoutError"), true],
    ["ResourceNotFoundException", awsError("ResourceNotFoundException", 404), false],
    ["ValidationException", awsError("ValidationException", 400), false],
    ["a plain Error", new Error("boom"), false],
    ["undefined", undefined, false],
  ];
  for (const [name, err, retryable] of cases) {
    it(`${name}: ${retryable}`, () => assert.equal(isRetryableRolesAnywhereError(err), retryable));
  }
});
