import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { TESSERA_BIN } from "../test/support/cli-process.js";

/** The project modules a `tessera ARGS` process loaded (from node's own ESM debug log), relative to the checkout. */
function modulesLoaded(args: string[], env: Record<string, string> = {}): string[] {
  const run = spawnSync(process.execPath, [TESSERA_BIN, ...args], {
    env: { ...process.env, NODE_OPTIONS: "", NODE_DEBUG: "esm", ...env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  const root = new URL("../", import.meta.url).href;
  return [...run.stderr.matchAll(/Storing (file:\/\/\S+) .*in ModuleLoadMap/g)]
    .map((match) => match[1]!)
    .filter((url) => url.startsWith(root) && !url.includes("/node_modules/"))
    .map((url) => url.slice(root.length));
}

describe("bin/tessera.mjs: which entry point each command loads", () => {
  it("`tessera agent` loads build/cli/agent.mjs and a few chunks of its own, not main.mjs's chunks", (t) => {
    const loaded = modulesLoaded(["agent", "--help"]);
    const bundle = loaded.filter((path) => path.startsWith("build/cli/"));
    if (bundle.length === 0) {
      // No bundle, or a source newer than it: the bin runs the TypeScript through tsx.
      t.diagnostic("build/cli/ is missing or stale (npm run build): checked the tsx fallback only");
      assert.ok(loaded.includes("cli/main.ts"), loaded.join("\n"));
      return;
    }
    assert.equal(bundle[0], "build/cli/agent.mjs");
    assert.deepEqual(
      bundle.filter((path) => !/^build\/cli\/agent(-chunk-[A-Z0-9]+)?\.mjs$/.test(path)),
      [],
      "nothing from the split build of the other commands",
    );
    // The point of the separate entry: resolving ~100 imports across ~40 chunks at start woke V8's
    // optimizing compiler and cost the idle agent about 5 MiB.
    assert.ok(bundle.length <= 8, `the agent loads as a few modules, not ${bundle.length}:\n${bundle.join("\n")}`);
  });

  it("every other command loads build/cli/main.mjs and never the agent's entry", (t) => {
    const bundle = modulesLoaded(["--help"]).filter((path) => path.startsWith("build/cli/"));
    if (bundle.length === 0) return t.diagnostic("build/cli/ is missing or stale (npm run build): nothing to check");
    assert.equal(bundle[0], "build/cli/main.mjs");
    assert.ok(!bundle.some((path) => path.startsWith("build/cli/agent")), bundle.join("\n"));
  });

  it("TESSERA_NO_BUNDLE=1 runs `tessera agent` from the TypeScript sources", () => {
    const loaded = modulesLoaded(["agent", "--help"], { TESSERA_NO_BUNDLE: "1" });
    assert.ok(!loaded.some((path) => path.startsWith("build/")), loaded.join("\n"));
    assert.ok(loaded.includes("cli/agent-main.ts"), loaded.join("\n"));
  });
});
