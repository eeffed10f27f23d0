// What each request costs in AWS calls, measured: the join, issue and rotate Lambda handlers run
// in this process over DynamoDB, KMS and S3 on moto (started here, or the AWS_ENDPOINT_URL given with
// TESSERA_TEST_ENDPOINT=external), with a counting middleware on each real SDK client. Per operation:
// the calls by service and command, the DynamoDB request units by
// DynamoDB's rules over the items sent and read, the handler's CPU time in this process (the SDK's work included, moto's
// not), its wall time against moto, and the bytes it logs. Then the monthly bill of a fleet at list
// prices, with a P-256 and an RSA-2048 CA key. docs/cost.md explains every figure.
// With several workloads per agent, an agent renews its X.509-SVIDs in one batch request of its share.
// `--jwt-svids false` measures a deployment with JWT-SVIDs turned off (no JWT key: the JWT-SVID request is not measured).
// Run: npx tsx bench/cost-per-svid.ts [--count 20] [--workloads 1000] [--agents 1000] [--bundle-poll 300] [--revocation-poll 60] [--audit-retention-days 365] [--jwt-svids true|false]
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { createJoinHandler } from "../functions/join/create-handler.js";
import { createIssueHandler } from "../functions/issue/create-handler.js";
import { createRotateHandler } from "../functions/rotate/create-handler.js";
import { githubClaims, LocalIssuer, OIDC_AUDIENCE } from "#tessera/test-support";
import type { KeySpec } from "#tessera/core";
import type { HttpEvent, HttpHandler } from "#tessera/contract";
import { createBot, createJoinToken, ensureAuthorities, loadConfig, MAX_X509_SVID_BATCH } from "#tessera/issuer";
import { createBundlePublishers, DynamoDbStore, KmsKeyManager } from "#tessera/aws";
import { buildRuntime } from "#tessera/dev";
import { startBenchAws } from "./support/bench-emulator.js";
import { makeCsr } from "../test/support/issuer-harness.js";
import { createTesseraTable } from "../test/support/tessera-table.js";
import { AwsCallTally } from "./support/aws-call-tally.js";
import { monthlyBill, printBill, type Measured } from "./support/monthly-bill.js";

const { values } = parseArgs({
  options: {
    count: { type: "string" },
    workloads: { type: "string" },
    agents: { type: "string" },
    "bundle-poll": { type: "string" },
    "revocation-poll": { type: "string" },
    "audit-retention-days": { type: "string" },
    "jwt-svids": { type: "string" },
  },
});
const JWT_SVIDS = (values["jwt-svids"] ?? "true") !== "false";
const COUNT = Number(values.count ?? 20);
const WORKLOADS = Number(values.workloads ?? 1000);
const AGENTS = Number(values.agents ?? WORKLOADS);
/** X.509-SVIDs an agent renews in one batch: its share of the workloads, up to the issuer's limit. */
const BATCH = Math.min(MAX_X509_SVID_BATCH, Math.max(1, Math.round(WORKLOADS / AGENTS)));
const TD = "example.org";
const SPIFFE_ID = `spiffe://${TD}/bench/web`;

/** A logger that keeps nothing but the bytes it would have written (one JSON line per entry, as Powertools writes). */
function byteCountingLogger(level: "debug" | "info") {
  const counter = { bytes: 0 };
  // Powertools adds timestamp, level, service, sampling rate and the request id: about 150 bytes a line.
  const line = (message: string, fields?: Record<string, unknown>) =>
    (counter.bytes += JSON.stringify({ message, ...fields }).length + 150);
  const shown = (message: string, fields?: Record<string, unknown>) => {
    line(message, fields);
    console.error(message, fields ?? "");
  };
  return { counter, logger: { debug: level === "debug" ? line : () => undefined, info: line, warn: shown, error: shown } };
}

function event(method: string, path: string, body?: unknown, bearer?: string): HttpEvent {
  const now = new Date();
  const routeKey = `${method} ${path}`;
  return {
    version: "2.0",
    routeKey,
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    requestContext: {
      accountId: "bench",
      apiId: "bench",
      domainName: "bench.example",
      domainPrefix: "bench",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  } as HttpEvent;
}

async function expectOk(handler: HttpHandler, e: HttpEvent): Promise<Record<string, unknown>> {
  const res = await handler(e);
  if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`${e.routeKey}: ${res.statusCode} ${String(res.body)}`);
  try {
    return JSON.parse(String(res.body)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const aws = await startBenchAws();
const oidc = await LocalIssuer.start();
const tally = new AwsCallTally();
const ddb = tally.attach(new DynamoDBClient({}), "DynamoDB");
const kms = tally.attach(new KMSClient({ maxAttempts: 1 }), "KMS");
const s3 = tally.attach(new S3Client({ forcePathStyle: true }), "S3");
const tables: string[] = [];
const bucket = `tessera-cost-${randomBytes(4).toString("hex")}`;
await s3.send(new CreateBucketCommand({ Bucket: bucket }));

/**
 * Bytes one X.509-SVID audit event keeps: its item (attribute names and values, as DynamoDB sizes
 * them, approximated by the JSON text) plus 100 bytes of per-item overhead, once in the table and
 * once in each index that holds it (both project every attribute).
 */
async function auditBytesPerEvent(tableName: string): Promise<number> {
  const doc = DynamoDBDocumentClient.from(ddb);
  const { Items = [] } = await doc.send(
    new ScanCommand({
      TableName: tableName,
      FilterExpression: "#t = :t",
      ExpressionAttributeNames: { "#t": "type" },
      ExpressionAttributeValues: { ":t": "x509_svid" },
    }),
  );
  const sizes = Items.map((item) => (JSON.stringify(item).length + 100) * (1 + (item.gsi1pk ? 1 : 0) + (item.gsi2pk ? 1 : 0)));
  return sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length);
}

async function measure(keySpec: KeySpec): Promise<Measured> {
  const tableName = await createTesseraTable(ddb, "tessera-cost");
  tables.push(tableName);
  const { counter, logger } = byteCountingLogger("info");
  const config = loadConfig({
    TESSERA_TRUST_DOMAIN: TD,
    TESSERA_KEY_SPEC: keySpec,
    TESSERA_TABLE_NAME: tableName,
    TESSERA_BUNDLE_BUCKET: bucket,
    TESSERA_ISSUER_URL: "https://issuer.bench.example",
    TESSERA_JOIN_ALLOW_HTTP_LOOPBACK: "true",
    TESSERA_JWT_SVIDS: String(JWT_SVIDS),
  });
  const runtime = await buildRuntime(config, {
    logger,
    store: new DynamoDbStore({ client: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }), tableName }),
    keys: new KmsKeyManager({ client: kms, aliasPrefix: `alias/tessera-cost/${randomBytes(4).toString("hex")}/` }),
  });
  await ensureAuthorities(runtime.authority, runtime.authorityPolicy);
  const join = createJoinHandler(runtime);
  const issue = createIssueHandler(runtime);
  const rotate = createRotateHandler({ ...runtime, publishers: createBundlePublishers(config, { s3 }) });
  const bot = `bench-${keySpec.toLowerCase().replace(/_/g, "-")}`;
  await createBot(runtime.admin, { name: bot, allowedSpiffeIds: [`spiffe://${TD}/bench/*`] }, "bench");
  const ci = `${bot}-ci`;
  await createBot(
    runtime.admin,
    {
      name: ci,
      allowedSpiffeIds: [`spiffe://${TD}/gh/{{repository}}`],
      joinRules: [{ method: "oidc", preset: "github", issuer: oidc.url, audience: OIDC_AUDIENCE, claims: { repository_id: "101" } }],
    },
    "bench",
  );
  const tokens = async (n: number) =>
    Promise.all(Array.from({ length: n }, async () => (await createJoinToken(runtime.admin, { botName: bot }, "bench")).token));
  let credential = (await expectOk(join, event("POST", "/v1/join", { join_method: "token", token: (await tokens(1))[0] })))
    .credential as string;

  const figures: Measured["operations"] = {};
  async function op(name: string, prepare: (n: number) => Promise<(i: number) => Promise<unknown>>): Promise<void> {
    const warm = await prepare(3);
    for (let i = 0; i < 3; i++) await warm(i);
    const run = await prepare(COUNT);
    tally.reset();
    counter.bytes = 0;
    const cpu0 = cpuMicros();
    const t0 = performance.now();
    for (let i = 0; i < COUNT; i++) await run(i);
    const wallMs = (performance.now() - t0) / COUNT;
    const cpuMs = (cpuMicros() - cpu0) / 1000 / COUNT;
    const calls = Object.fromEntries([...tally.calls].map(([k, v]) => [k, v / COUNT]));
    figures[name] = {
      calls,
      readUnits: tally.readUnits / COUNT,
      writeUnits: tally.writeUnits / COUNT,
      cpuMs,
      wallMs,
      logBytes: counter.bytes / COUNT,
    };
  }

  await op("X.509-SVID", async (n) => {
    const csrs = await Promise.all(Array.from({ length: n }, async () => (await makeCsr()).csr));
    return (i) => expectOk(issue, event("POST", "/v1/svids/x509", { csr: csrs[i], spiffe_id: SPIFFE_ID }, credential));
  });
  if (BATCH > 1)
    await op("X.509-SVID batch", async (n) => {
      const batches = await Promise.all(
        Array.from({ length: n }, async () =>
          Promise.all(Array.from({ length: BATCH }, async () => ({ csr: (await makeCsr()).csr, spiffe_id: SPIFFE_ID }))),
        ),
      );
      return async (i) => {
        const { results } = await expectOk(issue, event("POST", "/v1/svids/x509/batch", { entries: batches[i] }, credential));
        const refused = (results as { error?: { code: string } }[]).find((r) => r.error);
        if (refused) throw new Error(`X.509-SVID batch: an entry was refused: ${refused.error?.code}`);
      };
    });
  if (JWT_SVIDS)
    await op(
      "JWT-SVID",
      async () => (i) => expectOk(issue, event("POST", "/v1/svids/jwt", { spiffe_id: SPIFFE_ID, audience: [`aud-${i}`] }, credential)),
    );
  await op("join (token)", async (n) => {
    const list = await tokens(n);
    return (i) => expectOk(join, event("POST", "/v1/join", { join_method: "token", token: list[i] }));
  });
  await op("join (oidc)", async (n) => {
    const signed = await Promise.all(Array.from({ length: n }, () => oidc.sign(githubClaims())));
    return (i) => expectOk(join, event("POST", "/v1/join", { join_method: "oidc", bot_name: ci, token: signed[i] }));
  });
  await op("credential renewal", async () => async () => {
    credential = (await expectOk(join, event("POST", "/v1/renew", undefined, credential))).credential as string;
  });
  await op("bundle poll", async () => () => expectOk(issue, event("GET", "/v1/bundle")));
  await op("revocations poll", async () => () => expectOk(issue, event("GET", "/v1/revocations")));
  await op("trust poll", async () => () => expectOk(issue, event("GET", "/v1/trust")));
  await op("rotation tick", async () => () => rotate({}));
  await runtime.close();
  return { keySpec, operations: figures, unmetered: [...tally.unmetered], auditBytesPerEvent: await auditBytesPerEvent(tableName) };
}

try {
  const measured: Measured[] = [];
  for (const spec of ["ECC_NIST_P256", "RSA_2048"] as const) measured.push(await measure(spec));
  const ops = Object.keys(measured[0]!.operations);
  console.log(
    `AWS calls per operation, measured on ${aws.label} (${COUNT} of each after 3 unmeasured; the Lambda handlers in-process; JWT-SVIDs ${JWT_SVIDS ? "on" : "off"})`,
  );
  for (const m of measured) {
    console.log(`\n${m.keySpec} CA key`);
    console.log("| operation | KMS | DynamoDB | DynamoDB read / write units | S3 | CPU ms | wall ms (moto) | log bytes |");
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const name of ops) {
      const f = m.operations[name]!;
      const of = (service: string) =>
        Object.entries(f.calls)
          .filter(([k]) => k.startsWith(`${service}:`))
          .map(([k, v]) => `${k.slice(service.length + 1)} ${+v.toFixed(2)}`)
          .join(", ") || "0";
      console.log(
        `| ${name} | ${of("KMS")} | ${of("DynamoDB")} | ${f.readUnits.toFixed(2)} / ${f.writeUnits.toFixed(2)} | ${of("S3")} | ${f.cpuMs.toFixed(1)} | ${f.wallMs.toFixed(1)} | ${Math.round(f.logBytes)} |`,
      );
    }
    if (m.unmetered.length) console.log(`(no request units counted for: ${m.unmetered.join(", ")})`);
  }
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    `\npeak RSS of this process (every handler, both key types, the bench itself): ${peakMiB.toFixed(0)} MiB, an upper bound on what a function needs; Lambda bills the configured 512 MB (join, issue) and 256 MB (rotate)`,
  );
  const polls = {
    ...(values["bundle-poll"] ? { bundlePollSeconds: Number(values["bundle-poll"]) } : {}),
    ...(values["revocation-poll"] ? { revocationPollSeconds: Number(values["revocation-poll"]) } : {}),
    ...(values["audit-retention-days"] ? { auditRetentionDays: Number(values["audit-retention-days"]) } : {}),
    jwtSvids: JWT_SVIDS,
  };
  for (const m of measured) printBill(monthlyBill(m, { workloads: WORKLOADS, agents: AGENTS, batchSize: BATCH, ...polls }));
} finally {
  for (const table of tables) await ddb.send(new DeleteTableCommand({ TableName: table }));
  await oidc.close();
  await aws.stop();
}
