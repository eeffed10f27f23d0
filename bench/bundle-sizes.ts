// Bundle sizes of Tessera's Lambda functions: synthesizes the app in-process (esbuild, as `cdk synth`
// does), then prints each function's bundle (raw, gzip as a stand-in for the deployment zip) and
// what a fresh Node.js spends importing it (module load only: a lower bound of the Lambda init
// phase): the wall time and the CPU time of the import itself, both read inside the process around
// the `import()`, so Node's own start is not in them. On a shared machine the CPU time is the figure
// to compare. Run: npx tsx bench/bundle-sizes.ts
import { App } from "aws-cdk-lib";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createTesseraStacks } from "../infra/lib/create-app.js";
import { REPO_ROOT } from "../infra/lib/paths.js";

const IMPORT_RUNS = 9;
const context = (JSON.parse(readFileSync(join(REPO_ROOT, "cdk.json"), "utf8")) as { context: Record<string, unknown> }).context;
const outdir = mkdtempSync(join(tmpdir(), "tessera-bundle-sizes-"));

function importCost(file: string): { wallMs: number; cpuMs: number } {
  const env = {
    ...process.env,
    NODE_OPTIONS: "",
    AWS_REGION: "us-east-1",
    TESSERA_TRUST_DOMAIN: "example.org",
    TESSERA_TABLE_NAME: "bench",
    TESSERA_LOG_LEVEL: "ERROR",
  };
  const script =
    `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(file)}); ` +
    `const u = process.cpuUsage(c); console.log(performance.now() - t, (u.user + u.system) / 1000);`;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`bench: importing ${file} failed: ${run.stderr}`);
    const [wallMs, cpuMs] = run.stdout.trim().split(" ").map(Number);
    wall.push(wallMs!);
    cpu.push(cpuMs!);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(IMPORT_RUNS / 2)]!;
  return { wallMs: median(wall), cpuMs: median(cpu) };
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
    `function                      bundle        gzip   import wall    CPU (medians of ${IMPORT_RUNS}, node ${process.version}, ${process.arch})`,
  );
  for (const [name, fn] of Object.entries(functions)) {
    const logicalId = issuer.resolve((fn.function.node.defaultChild as unknown as { logicalId: string }).logicalId) as string;
    const key = template.Resources[logicalId]!.Properties.Code!.S3Key!.replace(/\.zip$/, "");
    const file = join(outdir, `asset.${key}`, "index.mjs");
    const bytes = statSync(file).size;
    const gzip = gzipSync(readFileSync(file), { level: 9 }).length;
    const { wallMs, cpuMs } = importCost(file);
    console.log(
      `${name.padEnd(30)}${kib(bytes).padStart(12)}${kib(gzip).padStart(12)}${`${wallMs.toFixed(0)} ms`.padStart(14)}${`${cpuMs.toFixed(0)} ms`.padStart(8)}`,
    );
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
