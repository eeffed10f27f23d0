// Bundle sizes of Tessera's Lambda functions: synthesizes the app in-process (esbuild, as `cdk synth`
// does), then prints each function's bundle (raw, gzip as a stand-in for the deployment zip) and
// how long a fresh Node.js takes to import it (module load only: a lower bound of the Lambda init
// phase). Run: npx tsx bench/bundle-sizes.ts
import { App } from "aws-cdk-lib";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createTesseraStacks } from "../infra/lib/create-app.js";
import { REPO_ROOT } from "../infra/lib/paths.js";

const IMPORT_RUNS = 5;
const context = (JSON.parse(readFileSync(join(REPO_ROOT, "cdk.json"), "utf8")) as { context: Record<string, unknown> }).context;
const outdir = mkdtempSync(join(tmpdir(), "tessera-bundle-sizes-"));

function importMs(file: string): number {
  const env = {
    ...process.env,
    NODE_OPTIONS: "",
    AWS_REGION: "us-east-1",
    TESSERA_TRUST_DOMAIN: "example.org",
    TESSERA_TABLE_NAME: "bench",
    TESSERA_LOG_LEVEL: "ERROR",
  };
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`bench: importing ${file} failed: ${run.stderr}`);
    times.push(Number(run.stdout.trim()));
  }
  return times.sort((a, b) => a - b)[Math.floor(IMPORT_RUNS / 2)]!;
}

try {
  const app = new App({ context, outdir });
  const { issuer } = createTesseraStacks(app);
  app.synth();
  const functions = {
    join: issuer.join,
    issue: issuer.issue,
    admin: issuer.admin,
    rotate: issuer.rotate,
    "bootstrap (custom resource)": issuer.bootstrap.handler,
  };
  const template = JSON.parse(readFileSync(join(outdir, `${issuer.artifactId}.template.json`), "utf8")) as {
    Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }>;
  };
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(
    `function                      bundle        gzip     import (median of ${IMPORT_RUNS}, node ${process.version}, ${process.arch})`,
  );
  for (const [name, fn] of Object.entries(functions)) {
    const logicalId = issuer.resolve((fn.function.node.defaultChild as unknown as { logicalId: string }).logicalId) as string;
    const key = template.Resources[logicalId]!.Properties.Code!.S3Key!.replace(/\.zip$/, "");
    const file = join(outdir, `asset.${key}`, "index.mjs");
    const bytes = statSync(file).size;
    const gzip = gzipSync(readFileSync(file), { level: 9 }).length;
    console.log(`${name.padEnd(30)}${kib(bytes).padStart(12)}${kib(gzip).padStart(12)}${`${importMs(file).toFixed(0)} ms`.padStart(10)}`);
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
