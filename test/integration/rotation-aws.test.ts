// The rotation tick against the local AWS emulator (moto): DynamoDB journals, KMS keys, the S3 bundle.
// Roles Anywhere, which moto lacks, is the aws-sdk-client-mock stub; the PEM it is sent is checked.
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetTrustAnchorCommand, UpdateTrustAnchorCommand } from "@aws-sdk/client-rolesanywhere";
import { CreateBucketCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { X509Certificate, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createRotateHandler } from "../../functions/rotate/create-handler.js";
import { FixedClock, parseCertificates, parseSpiffeBundle } from "#tessera/core";
import { type CaJournal, emergencyCaRotation, loadConfig, runRotationTick } from "#tessera/issuer";
import { createBundlePublishers, createS3Client, KmsKeyManager, type TesseraRuntime } from "#tessera/aws";
import { buildRuntime } from "#tessera/dev";
import { mockRolesAnywhere, rolesAnywhereClient } from "#tessera/test-support";
import { createCaptureLogger } from "../support/capture-logger.js";
import { createTesseraTable } from "../support/tessera-table.js";
import { FakeTrustAnchor } from "../rotation/simulation-world.js";

const DAY = 86_400_000;
const START = Date.UTC(2030, 0, 1);
const ddb = new DynamoDBClient({});
const s3 = createS3Client({ forcePathStyle: true });
const kms = new KMSClient({});

/** A KMS client that counts the commands sent through it, by name. */
function countingKms(): KMSClient & { counts: Record<string, number> } {
  const client = new KMSClient({}) as KMSClient & { counts: Record<string, number> };
  client.counts = {};
  const send = client.send.bind(client) as (c: object) => Promise<unknown>;
  client.send = ((command: object) => {
    const name = command.constructor.name.replace(/Command$/, "");
    client.counts[name] = (client.counts[name] ?? 0) + 1;
    return send(command);
  }) as never;
  return client;
}

/** One Lambda environment: its own runtime (and authority cache) over the shared table and aliases. */
async function environment(tableName: string, aliasPrefix: string, clock: FixedClock, client = countingKms()): Promise<TesseraRuntime> {
  const config = loadConfig({
    TESSERA_TRUST_DOMAIN: "example.org",
    TESSERA_TABLE_NAME: tableName,
    TESSERA_KMS_ALIAS_PREFIX: aliasPrefix,
    TESSERA_LOG_LEVEL: "ERROR",
  });
  const keys = new KmsKeyManager({ client, aliasPrefix, tags: { "tessera:trust-domain": "example.org" }, clock });
  return buildRuntime(config, { clock, keys, logger: createCaptureLogger() });
}

describe("two rotation ticks at once on DynamoDB and KMS", () => {
  let tableName: string;
  before(async () => {
    tableName = await createTesseraTable(ddb, "tessera-rotation");
  });
  after(() => ddb.send(new DeleteTableCommand({ TableName: tableName })));

  it("exactly one of them prepares each key; the other makes no key and writes nothing", async () => {
    const clock = new FixedClock(START);
    const prefix = `alias/tessera-test/${randomBytes(4).toString("hex")}/`;
    const kmsA = countingKms();
    const kmsB = countingKms();
    const [a, b] = [await environment(tableName, prefix, clock, kmsA), await environment(tableName, prefix, clock, kmsB)];
    await runRotationTick({ ...a, publishers: [] });
    clock.set(START + 24 * DAY);
    const createdBefore = (kmsA.counts.CreateKey ?? 0) + (kmsB.counts.CreateKey ?? 0);

    const [ra, rb] = await Promise.all([runRotationTick({ ...a, publishers: [] }), runRotationTick({ ...b, publishers: [] })]);

    const prepares = [...ra.steps, ...rb.steps]
      .filter((s) => s.type === "prepare")
      .map((s) => s.kind)
      .sort();
    assert.deepEqual(prepares, ["jwt", "x509"], "each key was prepared once");
    assert.equal((kmsA.counts.CreateKey ?? 0) + (kmsB.counts.CreateKey ?? 0) - createdBefore, 2, "one new KMS key per kind");
    const audited = (await a.store.listAudit({ since: START + 24 * DAY })).map((e) => `${e.type} ${e.detail?.key_id}`).sort();
    assert.deepEqual(audited, ["ca_prepared x509-ca-b", "jwt_key_prepared jwt-b"], "one audit event per step, in DynamoDB");
    const x509 = (await a.store.getJournal("x509")) as CaJournal;
    assert.equal(x509.version, 2);
    const prepared = x509.slots.find((s) => s.status === "prepared")!;
    const certificateKey = new X509Certificate(parseCertificates(prepared.certificatePem!)[0]!).publicKey.export({
      format: "der",
      type: "spki",
    });
    assert.deepEqual((await b.keys.getKey("x509-ca-b")).publicKey.export({ format: "der", type: "spki" }), certificateKey);
  });
});

describe("the rotate Lambda handler on DynamoDB, KMS and S3", () => {
  const ra = mockRolesAnywhere();
  let anchorPem = "";
  let runtime: TesseraRuntime;
  let bucket: string;
  let tableName: string;
  const clock = new FixedClock(START);
  const prefix = `alias/tessera-test/${randomBytes(4).toString("hex")}/`;
  let handler: ReturnType<typeof createRotateHandler>;

  before(async () => {
    ra.on(GetTrustAnchorCommand).resolves({});
    ra.on(UpdateTrustAnchorCommand).resolves({});
    bucket = `tessera-rotation-${randomBytes(4).toString("hex")}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    tableName = await createTesseraTable(ddb, "tessera-rotation");
    runtime = await environment(tableName, prefix, clock);
    const publishers = createBundlePublishers(
      { bundleBucket: bucket, trustAnchorId: "00000000-0000-4000-8000-000000000000", awsEndpoints: {} },
      { s3, rolesAnywhere: rolesAnywhereClient(), pacing: { minIntervalMs: 0, sleep: async () => undefined } },
    );
    handler = createRotateHandler({ ...runtime, publishers });
  });
  after(async () => {
    ra.reset();
    await ddb.send(new DeleteTableCommand({ TableName: tableName }));
  });

  /** Run the handler at `at`, letting the stubbed anchor hold what the handler last sent it. */
  async function tickAt(at: number) {
    clock.set(at);
    const result = await handler({ source: "aws.events" });
    const update = ra.commandCalls(UpdateTrustAnchorCommand).at(-1);
    anchorPem = update?.args[0].input.source?.sourceData?.x509CertificateData ?? anchorPem;
    ra.on(GetTrustAnchorCommand).resolves({
      trustAnchor: { source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: anchorPem } } },
    });
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "bundle.json" }));
    const published = parseSpiffeBundle(await out.Body!.transformToString(), runtime.config.trustDomain);
    return { result, published, anchorCas: (anchorPem.match(/BEGIN CERTIFICATE/g) ?? []).length };
  }

  it("prepares, activates and drops a CA end to end, keeping S3 and the trust anchor in step", async () => {
    const first = await tickAt(START);
    assert.equal(first.published.x509Authorities.length, 1);
    assert.equal(first.anchorCas, 1);
    const firstCa = first.published.x509Authorities[0]!;

    const prepare = await tickAt(START + 24 * DAY);
    assert.deepEqual(
      prepare.result.steps.map((s) => `${s.type} ${s.kind} ${s.slot}`),
      ["prepare x509 b", "prepare jwt b"],
    );
    assert.equal(prepare.published.x509Authorities.length, 2);
    assert.equal(prepare.anchorCas, 2);
    assert.ok((prepare.published.sequence ?? 0) > (first.published.sequence ?? 0));

    const updatesBefore = ra.commandCalls(UpdateTrustAnchorCommand).length;
    const activate = await tickAt(START + 25 * DAY);
    assert.deepEqual(
      activate.result.steps.map((s) => s.type),
      ["activate", "activate"],
    );
    assert.equal(ra.commandCalls(UpdateTrustAnchorCommand).length, updatesBefore, "activation leaves the anchor alone");
    runtime.authorities.invalidate();
    const signing = await runtime.authorities.x509();
    assert.notDeepEqual(signing.certificate, firstCa, "the prepared CA signs now");

    const drop = await tickAt(START + 26 * DAY + 7_200_000);
    assert.deepEqual(
      drop.result.steps.map((s) => s.type),
      ["drop", "drop"],
    );
    assert.deepEqual(drop.published.x509Authorities, [signing.certificate]);
    assert.equal(drop.anchorCas, 1);
    assert.ok((drop.published.sequence ?? 0) > (prepare.published.sequence ?? 0));

    const oldKey = (await kms.send(new DescribeKeyCommand({ KeyId: `${prefix}x509-ca-a` }))).KeyMetadata!;
    assert.equal(oldKey.KeyState, "PendingDeletion", "the dropped CA's KMS key is scheduled for deletion by the drop");
    const reuse = await tickAt(START + 48 * DAY);
    assert.deepEqual(
      reuse.result.steps.map((s) => `${s.type} ${s.kind} ${s.slot}`),
      ["prepare x509 a", "prepare jwt a"],
    );
    const reused = (await kms.send(new DescribeKeyCommand({ KeyId: `${prefix}x509-ca-a` }))).KeyMetadata!;
    assert.notEqual(reused.KeyId, oldKey.KeyId, "the freed slot gets a new key");
    assert.equal(reused.KeyState, "Enabled");
  });
});

describe("emergency rotation on DynamoDB, KMS, S3 and the trust anchor", () => {
  let tableName: string;
  let otherTable: string;
  let bucket: string;
  before(async () => {
    tableName = await createTesseraTable(ddb, "tessera-emergency");
    otherTable = await createTesseraTable(ddb, "tessera-emergency");
    bucket = `tessera-emergency-${randomBytes(4).toString("hex")}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    await ddb.send(new DeleteTableCommand({ TableName: tableName }));
    await ddb.send(new DeleteTableCommand({ TableName: otherTable }));
  });

  it("two requests in two Lambda environments at once act once, and the compromised KMS key is scheduled for deletion at once", async () => {
    const clock = new FixedClock(START);
    const prefix = `alias/tessera-test/${randomBytes(4).toString("hex")}/`;
    const [kmsA, kmsB] = [countingKms(), countingKms()];
    const [a, b] = [await environment(tableName, prefix, clock, kmsA), await environment(tableName, prefix, clock, kmsB)];
    await runRotationTick({ ...a, publishers: [] });
    const compromised = (await kms.send(new DescribeKeyCommand({ KeyId: `${prefix}x509-ca-a` }))).KeyMetadata!.KeyId!;
    clock.set(START + 3 * DAY);
    const created = () => (kmsA.counts.CreateKey ?? 0) + (kmsB.counts.CreateKey ?? 0);
    const createdBefore = created();

    const run = (env: TesseraRuntime, actor: string) =>
      emergencyCaRotation({ ...env.admin, rotation: { ...env, publishers: [] } }, { kind: "x509", reason: "test" }, actor);
    const [ra1, rb1] = await Promise.all([run(a, "arn:aws:iam::123456789012:user/alice"), run(b, "arn:aws:iam::123456789012:user/bob")]);

    const outcomes = [ra1.outcomes.x509, rb1.outcomes.x509];
    assert.equal(outcomes.filter((o) => o === "recorded").length, 1, `one request recorded the emergency: ${outcomes.join(", ")}`);
    assert.ok(outcomes.every((o) => o === "recorded" || o === "pending" || o === "done"));
    assert.equal([...ra1.steps, ...rb1.steps].filter((s) => s.type === "prepare").length, 1, "one new key");
    assert.equal(created() - createdBefore, 2, "the new CA's key, and the key that replaces the compromised one in its slot");
    const journal = (await a.store.getJournal("x509")) as CaJournal;
    assert.deepEqual(
      journal.slots.map((s) => [s.slot, s.status, s.keyGeneration]),
      [["b", "active", 2]],
    );
    assert.equal(journal.emergency, undefined);
    const state = (await kms.send(new DescribeKeyCommand({ KeyId: compromised }))).KeyMetadata!.KeyState;
    assert.equal(state, "PendingDeletion", "the compromised key can no longer sign");
    assert.equal((await a.store.listAudit({ type: "emergency_rotation" })).length, 1);
  });

  it("the rotate function's emergency input publishes the new CA alone to S3 and the trust anchor", async () => {
    const anchor = new FakeTrustAnchor();
    const clock = new FixedClock(START);
    const fresh = await environment(otherTable, `alias/tessera-test/${randomBytes(4).toString("hex")}/`, clock);
    const publishers = createBundlePublishers(
      { bundleBucket: bucket, trustAnchorId: "00000000-0000-4000-8000-000000000000", awsEndpoints: {} },
      { s3, rolesAnywhere: anchor as never, pacing: { minIntervalMs: 0, sleep: async () => undefined } },
    );
    const handler = createRotateHandler({ ...fresh, publishers });
    await handler({ source: "aws.events" });
    const before = anchor.certificateCount();
    clock.set(START + DAY);

    const result = await handler({ emergency: { kind: "all", reason: "rotate function input" } });

    assert.deepEqual(result.pending, []);
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "bundle.json" }));
    const published = parseSpiffeBundle(await out.Body!.transformToString(), fresh.config.trustDomain);
    const journal = (await fresh.store.getJournal("x509")) as CaJournal;
    assert.deepEqual(published.x509Authorities, parseCertificates(journal.slots[0]!.certificatePem!), "S3 holds the new CA only");
    assert.equal(before, 1);
    assert.equal(anchor.certificateCount(), 1);
    assert.equal(anchor.pem.trim(), journal.slots[0]!.certificatePem!.trim(), "the trust anchor holds the new CA only");
    assert.equal(published.jwtAuthorities.size, 1);
    const [event] = await fresh.store.listAudit({ type: "emergency_rotation" });
    assert.equal(event?.detail?.actor, "tessera:rotate-function");
  });
});
