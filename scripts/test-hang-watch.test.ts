import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

// The test runner's watchdog, run on small test files of its own.
describe("the test runner's hang watchdog", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-hang-watch-"));
  const reportDir = join(dir, "reports");
  mkdirSync(reportDir);
  after(() => rmSync(dir, { recursive: true, force: true }));
  const testFile = (name: string, body: string): string => {
    const file = join(dir, name);
    writeFileSync(file, `import { it } from "node:test";\n${body}\n`);
    return file;
  };
  // node:test refuses run() inside a test file, so a driver process of its own runs the files. The
  // limit leaves a file that passes (a few hundred ms) room on a busy machine.
  const runAll = (files: string[]): { passed: number; failed: number; lines: string[] } => {
    const driver =
      `import { runTestFiles } from ${JSON.stringify(new URL("./test-hang-watch.mjs", import.meta.url).href)};\n` +
      `const lines = [];\n` +
      `const counts = await runTestFiles({ files: ${JSON.stringify(files)}, root: ${JSON.stringify(dir)}, limitMs: 5000, ` +
      `reportDir: ${JSON.stringify(reportDir)}, out: process.stderr, log: (l) => lines.push(l) });\n` +
      `console.log(JSON.stringify({ ...counts, lines }));`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: `--report-on-signal --report-signal=SIGUSR2 --report-directory=${reportDir}`,
    };
    delete env.NODE_TEST_CONTEXT;
    // A file, not -e: node:test gives its file processes the parent's exec arguments.
    writeFileSync(join(dir, "driver.mjs"), driver);
    const r = spawnSync(process.execPath, [join(dir, "driver.mjs")], { env, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { passed: number; failed: number; lines: string[] };
  };

  it("reports a file that hangs before its first result with its stack and handles, kills it, and fails it when it hangs again", () => {
    const hangs = testFile(
      "hangs.test.mjs",
      "setInterval(() => {}, 60_000);\nawait new Promise(() => {});\nit('never reached', () => {});",
    );
    const passes = testFile("passes.test.mjs", "it('passes', () => {});");
    const { passed, failed, lines } = runAll([hangs, passes]);
    const printed = lines.join("\n");
    assert.match(printed, /hung: hangs\.test\.mjs ran for over 5 s/);
    assert.match(printed, /JavaScript stack:/);
    assert.match(printed, /handles keeping it alive: [1-9]/);
    assert.match(printed, /timer/);
    assert.match(printed, /running hangs\.test\.mjs again/);
    assert.doesNotMatch(printed, /passed when run again/);
    assert.equal(passed, 1);
    assert.equal(failed, 2, "the hang and the hang again");
  });

  it("does not count a hang before the first result when the file then passes alone", () => {
    const marker = join(dir, "hung-once");
    const once = testFile(
      "hangs-once.test.mjs",
      `import { existsSync, writeFileSync } from "node:fs";\nif (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ""); await new Promise(() => setInterval(() => {}, 60_000)); }\nit('passes', () => {});`,
    );
    const { passed, failed, lines } = runAll([once]);
    assert.ok(existsSync(marker));
    assert.match(lines.join("\n"), /hangs-once\.test\.mjs passed when run again/);
    assert.deepEqual({ passed, failed }, { passed: 1, failed: 0 });
  });

  it("fails a file that hangs after a first result, with no second run", () => {
    const late = testFile(
      "hangs-late.test.mjs",
      "it('first', () => {});\nit('hangs', () => new Promise(() => setInterval(() => {}, 60_000)));",
    );
    const { passed, failed, lines } = runAll([late]);
    const printed = lines.join("\n");
    assert.match(printed, /hung: hangs-late\.test\.mjs/);
    assert.doesNotMatch(printed, /again/);
    assert.equal(passed, 1);
    assert.equal(failed, 1, "the killed file");
  });
});
