// The acceptance check: the pinned CDK CLI synthesizes the app from the repository as it is, with
// no AWS credentials, endpoint or region to reach (nothing is looked up; notices and telemetry are
// off in cdk.json). One run, so the whole suite pays for it once.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../../infra/lib/paths.js";

const OFFLINE_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  AWS_PROFILE: "",
  AWS_REGION: "",
  AWS_DEFAULT_REGION: "",
  AWS_ENDPOINT_URL: "",
  AWS_EC2_METADATA_DISABLED: "true",
  CDK_DISABLE_CLI_TELEMETRY: "true",
};

describe("npx cdk synth (the pinned CLI)", () => {
  it("synthesizes both stacks offline, with no lookups and no cdk-nag finding", { timeout: 300_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), "tessera-cdk-cli-"));
    const contextFile = join(REPO_ROOT, "cdk.context.json");
    const contextBefore = existsSync(contextFile) ? readFileSync(contextFile, "utf8") : undefined;
    try {
      const started = Date.now();
      const run = spawnSync("npx", ["cdk", "synth", "--quiet", "--output", out], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...OFFLINE_ENV },
        encoding: "utf8",
        timeout: 280_000,
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      assert.equal(run.status, 0, `cdk synth failed after ${seconds}s:\n${run.stdout}\n${run.stderr}`);
      console.log(`cdk synth took ${seconds}s`);

      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { artifacts: Record<string, { type: string }> };
      const stacks = Object.entries(manifest.artifacts)
        .filter(([, a]) => a.type === "aws:cloudformation:stack")
        .map(([id]) => id);
      assert.deepEqual(stacks.sort(), ["TesseraIssuer", "TesseraStateful"]);
      for (const stack of stacks) assert.ok(existsSync(join(out, `${stack}.template.json`)), stack);

      const report = JSON.parse(readFileSync(join(out, "validation-report.json"), "utf8")) as {
        pluginReports: { summary?: unknown; violations?: unknown[] }[];
      };
      const violations = report.pluginReports.flatMap((r) => r.violations ?? []);
      assert.deepEqual(violations, [], "cdk-nag or template validation reported findings");
      assert.equal(existsSync(contextFile) ? readFileSync(contextFile, "utf8") : undefined, contextBefore, "synth looked something up");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
