// Bundle sizes of Tessera's Lambda functions: synthesizes the app in-process (esbuild, as `cdk synth`
// does), then prints each function's bundle (raw, gzip as a stand-in for the deployment zip) and
// what a fresh Node.js spends importing it (module load only: a lower bound of the Lambda init
// phase): the wall time and the CPU time of the import itself, both read inside the process around
// the `import()`, so Node's own start is not in them. On a shared machine the CPU time is the figure
// to compare. For the join and issue functions it also prints the CPU time of the import plus one
// first request against moto (a token join with an unknown token, refused after its DynamoDB read;
// `GET /v1/bundle` on a fresh table), so work moved from the import into the first request shows.
// Run: npx tsx bench/bundle-sizes.ts [--node PATH]... [--keep]
// `--node PATH` (repeatable) imports each bundle with that Node.js binary instead of the one running
// the bench; with several, their runs alternate (one of each in turn), so their figures are paired.
// `--keep` keeps the synthesized app (bundles included) and prints where it is.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { App } from "aws-cdk-lib";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { createTesseraStacks } from "../infra/lib/create-app.js";
import { REPO_ROOT } from "../infra/lib/paths.js";
import { createTesseraTable } from "../test/support/tessera-table.js";
import { startBenchAws } from "./support/bench-emulator.js";

const IMPORT_RUNS = 9;
const { values } = parseArgs({ options: { node: { type: "string", multiple: true }, keep: { type: "boolean" } } });
const nodes = values.node ?? [process.execPath];
const nodeVersions = nodes.map((node) => {
  const run = spawnSync(node, ["--version"], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`bench: ${node} --version failed: ${run.error?.message ?? run.stderr}`);
  return run.stdout.trim();
});
const context = (JSON.parse(readFileSync(join(REPO_ROOT, "cdk.json"), "utf8")) as { context: Record<string, unknown> }).context;
const outdir = mkdtempSync(join(tmpdir(), "tessera-bundle-sizes-"));

/** The first request a cold function answers in `importCost`: an API Gateway (payload 2.0) event. */
const FIRST_CALLS: Record<string, { routeKey: string; body?: unknown }> = {
  join: { routeKey: "POST /v1/join", body: { join_method: "token", token: "0".repeat(64) } },
  issue: { routeKey: "GET /v1/bundle" },
};

// The child: the CPU and wall time of the import, then (with an event) of the import plus that request.
const CHILD = `
const [file, event] = [process.argv[1], process.argv[2] && JSON.parse(process.argv[2])];
const c = process.cpuUsage(); const t = performance.now();
const { handler } = await import(file);
const cpu = (u) => (u.user + u.system) / 1000;
const out = { wallMs: performance.now() - t, cpuMs: cpu(process.cpuUsage(c)) };
if (event) {
  const context = { awsRequestId: "bench", functionName: "bench", getRemainingTimeInMillis: () => 10000 };
  out.status = (await handler(event, context)).statusCode;
  out.firstCallCpuMs = cpu(process.cpuUsage(c));
}
console.log(JSON.stringify(out));`;

function httpEvent(call: { routeKey: string; body?: unknown }): unknown {
  const [, rawPath] = call.routeKey.split(" ");
  const body = call.body === undefined ? {} : { body: JSON.stringify(call.body) };
  return {
    version: "2.0",
    routeKey: call.routeKey,
    rawPath,
    rawQueryString: "",
    headers: { "content-type": "application/json" },
    ...body,
    isBase64Encoded: false,
    requestContext: {},
  };
}

interface ImportCost {
  wallMs: number;
  cpuMs: number;
  firstCallCpuMs?: number;
  status?: number;
}

/** The medians of `IMPORT_RUNS` imports of `file` by each of `nodes`, their runs alternating. */
function importCosts(file: string, tableName: string, call?: { routeKey: string; body?: unknown }): ImportCost[] {
  const env = {
    ...process.env,
    NODE_OPTIONS: "",
    AWS_REGION: "us-east-1",
    TESSERA_TRUST_DOMAIN: "example.org",
    TESSERA_TABLE_NAME: tableName,
    TESSERA_LOG_LEVEL: "ERROR",
  };
  const args = ["--input-type=module", "-e", CHILD, file, ...(call ? [JSON.stringify(httpEvent(call))] : [])];
  const runs: ImportCost[][] = nodes.map(() => []);
  for (let i = 0; i < IMPORT_RUNS; i++) {
    nodes.forEach((node, n) => {
      const run = spawnSync(node, args, { env, encoding: "utf8" });
      if (run.status !== 0) throw new Error(`bench: importing ${file} with ${node} failed: ${run.stderr}`);
      // The last line: a handler writes its metrics (EMF) to stdout before it.
      runs[n]!.push(JSON.parse(run.stdout.trim().split("\n").at(-1)!) as ImportCost);
    });
  }
  return runs.map((own) => {
    const median = (pick: (r: ImportCost) => number) => own.map(pick).sort((a, b) => a - b)[Math.floor(IMPORT_RUNS / 2)]!;
    return {
      wallMs: median((r) => r.wallMs),
      cpuMs: median((r) => r.cpuMs),
      ...(call ? { firstCallCpuMs: median((r) => r.firstCallCpuMs!), status: own[0]!.status! } : {}),
    };
  });
}

const aws = await startBenchAws();
try {
  const tableName = await createTesseraTable(new DynamoDBClient({}), "bundle-sizes");
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
  const ms = (value: number, width: number) => `${value.toFixed(1)} ms`.padStart(width);
  console.log(
    `function                      bundle        gzip  node      import wall      CPU   + first call (CPU; medians of ${IMPORT_RUNS}, ${process.arch}, AWS: ${aws.label})`,
  );
  for (const [name, fn] of Object.entries(functions)) {
    const logicalId = issuer.resolve((fn.function.node.defaultChild as unknown as { logicalId: string }).logicalId) as string;
    const key = template.Resources[logicalId]!.Properties.Code!.S3Key!.replace(/\.zip$/, "");
    const file = join(outdir, `asset.${key}`, "index.mjs");
    const bytes = statSync(file).size;
    const gzip = gzipSync(readFileSync(file), { level: 9 }).length;
    importCosts(file, tableName, FIRST_CALLS[name]).forEach(({ wallMs, cpuMs, firstCallCpuMs, status }, n) => {
      const sizes = n === 0 ? `${name.padEnd(30)}${kib(bytes).padStart(12)}${kib(gzip).padStart(12)}` : " ".repeat(54);
      const firstCall = firstCallCpuMs === undefined ? "" : `${ms(firstCallCpuMs, 15)} (${FIRST_CALLS[name]!.routeKey}: ${status})`;
      console.log(`${sizes}  ${nodeVersions[n]!.padEnd(8)}${ms(wallMs, 13)}${ms(cpuMs, 9)}${firstCall}`);
    });
  }
  if (values.keep) console.log(`the synthesized app and its bundles: ${outdir}`);
} finally {
  if (!values.keep) rmSync(outdir, { recursive: true, force: true });
  await aws.stop();
}
