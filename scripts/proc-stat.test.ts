import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readProcStat } from "./proc-stat.mjs";

const mainThread = `/proc/${process.pid}/task/${process.pid}/stat`;

describe("readProcStat", () => {
  it("reads this process's parent, state and CPU time, which grows while it computes", () => {
    const before = readProcStat(mainThread);
    assert.equal(readProcStat(`/proc/${process.pid}/stat`).ppid, process.ppid);
    assert.equal(before.state, "R", "the thread reading its own stat is running");
    const until = process.cpuUsage().user + 100_000;
    while (process.cpuUsage().user < until); // 100 ms of CPU on this thread, ten of /proc's ticks
    const after = readProcStat(mainThread);
    assert.ok(after.cpuMicros - before.cpuMicros >= 50_000, `${before.cpuMicros} then ${after.cpuMicros} µs`);
  });

  it("counts its fields after the last ')', whatever the command name holds", () => {
    const title = process.title;
    try {
      process.title = "a) R 1 (b"; // what /proc prints between the parentheses, as it is
      assert.equal(readProcStat(`/proc/${process.pid}/stat`).ppid, process.ppid);
    } finally {
      process.title = title;
    }
  });
});
