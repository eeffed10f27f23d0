import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli as runAgentCli } from "./agent-main.js";
import { runCli } from "./main.js";
import type { CliIo } from "./output.js";

type Run = (argv: string[], io: CliIo) => Promise<number>;

async function capture(run: Run, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env: {} });
  return { code, out, err };
}

describe("cli/agent-main: `tessera agent` as its own entry point (build/cli/agent.mjs)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-agent-main-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, "bad.yaml");
  writeFileSync(bad, "version: v2\n");

  // bin/tessera.mjs runs `tessera agent ...` from this entry when the bundle is fresh and through
  // cli/main.ts otherwise: the two must answer alike, exit code and error format included.
  const cases: string[][] = [
    ["agent", "validate", "-c", bad],
    ["agent", "validate", "-c", bad, "--json"],
    ["agent", "validate", "-c", join(dir, "missing.yaml"), "-o", "json"],
    ["agent", "--colour"],
    ["agent", "api", "fetch", "x509", "--socket", join(dir, "no.sock"), "--json"],
    ["agent", "--help"],
  ];
  for (const argv of cases) {
    it(`answers \`tessera ${argv.slice(0, 3).join(" ")}...\` as cli/main.ts does`, async () => {
      const own = await capture(runAgentCli, argv);
      assert.deepEqual(own, await capture(runCli, argv));
      if (!argv.includes("--help")) assert.notEqual(own.code, 0);
    });
  }

  it("refuses any other command with a usage error (exit 2)", async () => {
    const res = await capture(runAgentCli, ["bot", "list"]);
    assert.equal(res.code, 2);
    assert.match(res.err, /^error: tessera: this entry point runs only `tessera agent`, not "bot"/);
  });
});
