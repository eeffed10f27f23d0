import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";

/** Scavenges while a fresh node process keeps 300,000 small objects alive, after `setup` ran. */
function scavengesWhileRetaining(setup: string): number {
  const script = `
    import { PerformanceObserver, constants } from "node:perf_hooks";
    ${setup}
    let scavenges = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    });
    observer.observe({ entryTypes: ["gc"] });
    const kept = [];
    for (let i = 0; i < 300000; i++) kept.push({ n: i, pair: [i, i + 1] });
    setTimeout(() => { observer.disconnect(); console.log(scavenges, kept.length); }, 50);`;
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: import.meta.dirname,
    encoding: "utf8",
  });
  return Number(out.split(" ")[0]);
}

describe("growYoungGenerationFaster", () => {
  it("lets V8 grow the young generation in larger steps, so a burst of long-lived objects needs fewer scavenges", () => {
    const usual = scavengesWhileRetaining("");
    const faster = scavengesWhileRetaining(
      `const { growYoungGenerationFaster } = await import("./young-generation.ts"); growYoungGenerationFaster();`,
    );
    assert.ok(usual > 0, `no scavenge at all: ${usual}`);
    assert.ok(faster < usual, `${faster} scavenges with the larger growth factor, ${usual} without`);
  });
});
