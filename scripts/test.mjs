// The test command: type-check, lint, then every *.test.ts under the project with node's test
// runner, against moto started on a free loopback port (or the endpoint in AWS_ENDPOINT_URL when
// TESSERA_TEST_ENDPOINT=external, e.g. LocalStack or a real account). Ends with "N passed, N failed".
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "./emulator.mjs";
import { runTestFiles } from "./test-hang-watch.mjs";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith("--"));
const SKIP_DIRS = new Set(["node_modules", ".venv", ".git", "cdk.out", "dist", "build", ".tessera", ".test-tmp"]);

function findTests(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) findTests(join(dir, entry.name), out);
    } else if (entry.name.endsWith(".test.ts")) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

function step(name, cmd, cmdArgs) {
  const started = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit" });
  const ok = r.status === 0;
  console.log(`${ok ? "ok" : "FAILED"}: ${name} (${Date.now() - started} ms)`);
  return ok;
}

let passed = 0;
let failed = 0;
if (!args.includes("--no-static")) {
  for (const [name, cmd, a] of [
    ["typecheck", "npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]],
    ["lint", "npx", ["eslint", "--max-warnings", "0", "."]],
    ["format", "npx", ["prettier", "--check", "--log-level", "warn", "."]],
  ]) {
    if (step(name, cmd, a)) passed++;
    else failed++;
  }
}

let emulator;
if (process.env.TESSERA_TEST_ENDPOINT === "external") {
  if (!process.env.AWS_ENDPOINT_URL) console.log("testing against real AWS (no AWS_ENDPOINT_URL)");
} else {
  emulator = await startEmulator();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_SESSION_TOKEN: "testing",
  });
  delete process.env.AWS_PROFILE;
  console.log(`moto listening at ${emulator.endpoint}`);
}
// A file process that hangs is asked for a diagnostic report (stack and open handles) before it is
// killed: --report-on-signal makes SIGUSR2 write one into a directory removed at the end.
const reportDir = mkdtempSync(join(tmpdir(), "tessera-test-reports-"));
const reportOptions = `--report-on-signal --report-signal=SIGUSR2 --report-directory=${reportDir}`;
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --import tsx ${reportOptions}`.trim();
process.env.TESSERA_TEST = "1";

const files = findTests(root)
  .filter((f) => only.length === 0 || only.some((o) => relative(root, f).includes(o)))
  .sort();

// The longest file (test/e2e/dev-cli.test.ts) took 190 s on this two-core machine under a load of 9;
// past this limit a file is hung.
const limitMs = Number(process.env.TESSERA_TEST_HANG_LIMIT_MS ?? 5 * 60_000);
const counts = await runTestFiles({ files, root, limitMs, reportDir, out: process.stdout });
passed += counts.passed;
failed += counts.failed;
rmSync(reportDir, { recursive: true, force: true });
await emulator?.stop();
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
