// Issuance figures: CPU per X.509-SVID beyond the signing key (disk key: SVIDs per second per core),
// the whole use case over the embedded store, and the AWS calls one SVID costs (KMS Sign and DynamoDB
// operations counted on the SDK clients, against moto started here or the AWS_ENDPOINT_URL given
// with TESSERA_TEST_ENDPOINT=external).
// Run: npx tsx bench/issue-svid.ts [--count 2000]
import { KMSClient } from "@aws-sdk/client-kms";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCaCertificate, createCsr, parseCsr, signX509Svid, SpiffeId, TrustDomain } from "#tessera/core";
import {
  createBot,
  createJoinToken,
  DiskKeyManager,
  EmbeddedStore,
  ensureAuthorities,
  issueX509SvidForBot,
  joinWithToken,
  loadConfig,
} from "#tessera/issuer";
import { DynamoDbStore, KmsKeyManager } from "#tessera/aws";
import { buildRuntime, type RuntimeOverrides } from "#tessera/dev";
import { createTesseraTable } from "../test/support/tessera-table.js";
import { startBenchAws } from "./support/bench-emulator.js";
import { AwsCallTally } from "./support/aws-call-tally.js";

const countFlag = process.argv.indexOf("--count");
const COUNT = countFlag > 0 ? Number(process.argv[countFlag + 1]) : 2000;
const td = TrustDomain.fromString("example.org");
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function signingPath(dir: string): Promise<void> {
  const keys = new DiskKeyManager({ directory: join(dir, "keys") });
  const caKey = await keys.generateKey("bench-ca", "ECC_NIST_P256");
  const now = new Date();
  const ca = await createCaCertificate({ key: caKey, trustDomain: td, notBefore: now, notAfter: new Date(now.getTime() + 86400_000) });
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const csrPem = await createCsr({ privateKey });
  const id = SpiffeId.fromString("spiffe://example.org/bench/web");
  const run = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const csr = await parseCsr(csrPem);
      await signX509Svid({
        caKey,
        caCertificate: ca,
        spiffeId: id,
        publicKey: csr.publicKey,
        notBefore: now,
        notAfter: new Date(now.getTime() + 3600_000),
      });
    }
  };
  await run(200);
  const cpu0 = cpuMicros();
  const t0 = performance.now();
  await run(COUNT);
  const wall = performance.now() - t0;
  const cpu = cpuMicros() - cpu0;
  const sign0 = cpuMicros();
  for (let i = 0; i < COUNT; i++) await caKey.sign(randomBytes(300));
  const signCpu = cpuMicros() - sign0;
  console.log(`X.509-SVID, disk P-256 key: ${COUNT} SVIDs (CSR check + build + sign + re-validate)`);
  console.log(
    `  ${(COUNT / (wall / 1000)).toFixed(0)} SVIDs/s on one core; CPU ${(cpu / COUNT).toFixed(0)} µs per SVID, of which the ECDSA signature ${(signCpu / COUNT).toFixed(0)} µs`,
  );
  console.log(`  CPU beyond the key's signature: ${((cpu - signCpu) / COUNT).toFixed(0)} µs per SVID`);
}

async function useCase(
  dir: string,
  label: string,
  env: Record<string, string>,
  overrides: RuntimeOverrides,
  count: number,
  tally?: AwsCallTally,
): Promise<void> {
  const runtime = await buildRuntime(loadConfig({ TESSERA_TRUST_DOMAIN: "example.org", ...env }), { logger: quiet, ...overrides });
  await ensureAuthorities(runtime.authority, runtime.authorityPolicy);
  await createBot(runtime.admin, { name: "bench", allowedSpiffeIds: ["spiffe://example.org/bench/*"] }, "bench");
  const { token } = await createJoinToken(runtime.admin, { botName: "bench" }, "bench");
  const { credential } = await joinWithToken(runtime.issuer, { token });
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const csr = await createCsr({ privateKey });
  const issue = () => issueX509SvidForBot(runtime.issuer, { credential, csr, spiffeId: "spiffe://example.org/bench/web" });
  for (let i = 0; i < 20; i++) await issue();
  tally?.reset();
  const cpu0 = cpuMicros();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await issue();
  const wall = performance.now() - t0;
  const cpu = cpuMicros() - cpu0;
  console.log(`${label}: ${count} SVIDs through issueX509SvidForBot (credential, locks, rules, CSR, sign, audit)`);
  console.log(
    `  ${(count / (wall / 1000)).toFixed(0)} SVIDs/s sequential; ${(wall / count).toFixed(2)} ms wall and ${(cpu / count).toFixed(0)} µs CPU (this process) per SVID`,
  );
  if (tally) {
    const per = [...tally.calls.entries()].map(([k, v]) => `${k} ${(v / count).toFixed(2)}`).join(", ");
    console.log(`  AWS calls per SVID: ${per}`);
    console.log(
      `  DynamoDB capacity per SVID: ${(tally.readUnits / count).toFixed(2)} read and ${(tally.writeUnits / count).toFixed(2)} write units`,
    );
  }
  await runtime.close();
  void dir;
}

const dir = await mkdtemp(join(tmpdir(), "tessera-bench-"));
try {
  await signingPath(dir);
  const embeddedDir = join(dir, "embedded");
  await useCase(
    dir,
    "embedded store + disk key",
    { TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: embeddedDir },
    {
      store: await EmbeddedStore.open({ directory: embeddedDir }),
      keys: new DiskKeyManager({ directory: join(embeddedDir, "keys") }),
    },
    Math.min(COUNT, 500),
  );

  const aws = await startBenchAws();
  const tally = new AwsCallTally();
  const ddb = tally.attach(new DynamoDBClient({}), "DynamoDB");
  const tableName = await createTesseraTable(ddb, "tessera-bench");
  try {
    const kms = tally.attach(new KMSClient({ maxAttempts: 1 }), "KMS");
    await useCase(
      dir,
      `DynamoDB + KMS on ${aws.label}`,
      { TESSERA_TABLE_NAME: tableName },
      {
        store: new DynamoDbStore({
          client: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
          tableName,
        }),
        keys: new KmsKeyManager({ client: kms, aliasPrefix: `alias/tessera-bench/${randomBytes(4).toString("hex")}/` }),
      },
      200,
      tally,
    );
  } finally {
    await ddb.send(new DeleteTableCommand({ TableName: tableName }));
    await aws.stop();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
