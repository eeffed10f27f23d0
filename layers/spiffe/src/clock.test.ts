import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FixedClock } from "./clock.js";

describe("FixedClock", () => {
  it("stays put until advanced", () => {
    const clock = new FixedClock(1000);
    assert.equal(clock.now().getTime(), 1000);
    clock.advance(500);
    assert.equal(clock.now().getTime(), 1500);
  });
  it("can be set", () => {
    const clock = new FixedClock(new Date(0));
    clock.set(42);
    assert.equal(clock.now().getTime(), 42);
  });
});
