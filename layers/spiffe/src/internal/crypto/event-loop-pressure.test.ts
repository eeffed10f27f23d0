import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isEventLoopBusy } from "./event-loop-pressure.js";
import { makeEventLoopBusy, makeEventLoopRelaxed } from "./test-support.js";

describe("isEventLoopBusy", () => {
  it("reads busy after the loop ran without a break, and relaxed again after it waited", async () => {
    makeEventLoopBusy();
    assert.equal(isEventLoopBusy(), true);
    await makeEventLoopRelaxed();
    assert.equal(isEventLoopBusy(), false);
  });
});
