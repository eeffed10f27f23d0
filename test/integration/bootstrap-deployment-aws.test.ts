// The deployment bootstrap use case against the local AWS emulator (moto): DynamoDB journals, KMS
// keys, the S3 bundle. Roles Anywhere, which moto lacks, is the aws-sdk-client-mock stub.
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import {
  CreateTrustAnchorCommand,
  GetTrustAnchorCommand,
  ListTagsForResourceCommand,
  ListTrustAnchorsCommand,
  UpdateTrustAnchorCommand,
} from "@aws-sdk/client-rolesanywhere";
import { CreateBucketCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { FixedClock, parseSpiffeBundle } from "#tessera/core";
import { type CaJournal, loadConfig } from "#tessera/issuer";
import {
  bootstrapDeployment,
  createBundlePublishers,
  createS3Client,
  createTrustAnchorCalls,
  KmsKeyManager,
  type TesseraRuntime,
} from "#tessera/aws";
import { buildRuntime } from "#tessera/dev";
import { mockRolesAnywhere, rolesAnywhereClient } from "#tessera/test-support";
import { createCaptureLogger } from "../support/capture-logger.js";
import { createTesseraTable } from "../support/tessera-table.js";

const ddb = new DynamoDBClient({});
const s3 = createS3Client({ forcePathStyle: true });
const ra = mockRolesAnywhere();
const ID = "11111111-2222-4333-8444-555555555555";
const ARN = `arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/${ID}`;
const NAME = "tessera-example-org";
const STALE_PEM = "-----BEGIN CERTIFICATE-----\nMIIBstale\n-----END CERTIFICATE-----\n";

/** The Roles Anywhere commands sent, by name, in order. */
function commandsSent(): string[] {
  return ra.calls().map((call) => (call.args[0] as object).constructor.name);
}

/** Roles Anywhere holding Tessera's anchor for example.org, left by an earlier deployment, with an old CA. */
function retainedAnchor(): void {
  ra.on(ListTrustAnchorsCommand).resolves({ trustAnchors: [{ name: NAME, trustAnchorId: ID, trustAnchorArn: ARN }] });
  ra.on(ListTagsForResourceCommand).resolves({ tags: [{ key: "tessera:trust-domain", value: "example.org" }] });
  ra.on(GetTrustAnchorCommand).resolves({
    trustAnchor: {
      trustAnchorId: ID,
      trustAnchorArn: ARN,
      source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: STALE_PEM } },
    },
  });
  ra.on(UpdateTrustAnchorCommand).resolves({ trustAnchor: { trustAnchorId: ID, trustAnchorArn: ARN } });
}

describe("bootstrapDeployment on DynamoDB, KMS and S3", () => {
  let tableName: string;
  let bucket: string;
  let runtime: TesseraRuntime;
  before(async () => {
    bucket = `tessera-bootstrap-${randomBytes(4).toString("hex")}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  beforeEach(async () => {
    ra.reset();
    tableName = await createTesseraTable(ddb, "tessera-bootstrap");
    const aliasPrefix = `alias/tessera-test/${randomBytes(4).toString("hex")}/`;
    const clock = new FixedClock(Date.UTC(2030, 0, 15, 12));
    const config = loadConfig({ TESSERA_TRUST_DOMAIN: "example.org", TESSERA_TABLE_NAME: tableName, TESSERA_LOG_LEVEL: "ERROR" });
    const keys = new KmsKeyManager({ client: new KMSClient({}), aliasPrefix, tags: { "tessera:trust-domain": "example.org" }, clock });
    runtime = await buildRuntime(config, { clock, keys, logger: createCaptureLogger() });
  });
  afterEach(async () => {
    await runtime.close();
    await ddb.send(new DeleteTableCommand({ TableName: tableName }));
  });

  const deps = (bundleBucket = bucket) => ({
    ...runtime,
    publishers: createBundlePublishers({ bundleBucket, awsEndpoints: {} }, { s3 }),
    trustAnchors: createTrustAnchorCalls({ client: rolesAnywhereClient(), pacing: { minIntervalMs: 0 } }),
  });

  it("adopts the anchor a retained deployment left and puts this deployment's CA in it, creating none", async () => {
    retainedAnchor();

    const result = await bootstrapDeployment(deps(), { trustAnchorName: NAME });

    assert.deepEqual(result, { trustAnchor: { trustAnchorId: ID, trustAnchorArn: ARN } });
    const journal = (await runtime.store.getJournal("x509")) as CaJournal;
    assert.ok(await runtime.store.getJournal("jwt"), "the JWT key is in DynamoDB");
    assert.deepEqual(
      ra.commandCalls(UpdateTrustAnchorCommand).map((c) => c.args[0].input.source?.sourceData),
      [{ x509CertificateData: journal.slots[0]!.certificatePem }],
    );
    assert.equal(ra.commandCalls(CreateTrustAnchorCommand).length, 0);
    const published = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "bundle.json" }));
    const bundle = parseSpiffeBundle(await published.Body!.transformToString(), runtime.config.trustDomain);
    assert.equal(bundle.x509Authorities.length, 1);
  });

  it("with JWT-SVIDs off (jwtSvids=false), makes the CA alone: no JWT key in KMS, the journal or the published bundle", async () => {
    const off = await buildRuntime(
      { ...runtime.config, jwtSvids: false },
      { clock: runtime.clock, keys: runtime.keys, store: runtime.store, logger: createCaptureLogger() },
    );
    retainedAnchor();

    await bootstrapDeployment({ ...deps(), ...off }, { trustAnchorName: NAME });

    assert.ok(await runtime.store.getJournal("x509"), "the CA is made");
    assert.equal(await runtime.store.getJournal("jwt"), undefined, "no JWT journal");
    assert.deepEqual(
      (await runtime.keys.listKeys()).map((k) => k.id),
      ["x509-ca-a"],
      "one KMS key, the CA's",
    );
    const published = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "bundle.json" }));
    const bundle = parseSpiffeBundle(await published.Body!.transformToString(), runtime.config.trustDomain);
    assert.equal(bundle.x509Authorities.length, 1);
    assert.equal(bundle.jwtAuthorities.size, 0);
  });

  it("ignores an earlier resource id that is no anchor id and settles the anchor by name", async () => {
    retainedAnchor();

    const result = await bootstrapDeployment(deps(), { trustAnchorName: NAME, previousTrustAnchorId: "tessera-bootstrap:example.org" });

    assert.equal(result.trustAnchor?.trustAnchorId, ID);
    assert.equal(commandsSent()[0], "ListTrustAnchorsCommand", "the earlier id was never sent to Roles Anywhere");
  });

  it("settles the anchor before failing on the bundle, so the retry adopts it instead of creating a second", async () => {
    ra.on(ListTrustAnchorsCommand).resolves({ trustAnchors: [] });
    ra.on(CreateTrustAnchorCommand).resolves({ trustAnchor: { trustAnchorId: ID, trustAnchorArn: ARN } });

    await assert.rejects(bootstrapDeployment(deps(`${bucket}-missing`), { trustAnchorName: NAME }), { code: "ERR_BUNDLE_PUBLISH" });
    assert.equal(ra.commandCalls(CreateTrustAnchorCommand).length, 1, "the anchor was created before the failure was thrown");

    const pem = ((await runtime.store.getJournal("x509")) as CaJournal).slots[0]!.certificatePem!;
    ra.reset();
    retainedAnchor();
    ra.on(GetTrustAnchorCommand).resolves({
      trustAnchor: {
        trustAnchorId: ID,
        trustAnchorArn: ARN,
        source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: pem } },
      },
    });
    const retried = await bootstrapDeployment(deps(), { trustAnchorName: NAME });

    assert.equal(retried.trustAnchor?.trustAnchorId, ID);
    assert.equal(ra.commandCalls(CreateTrustAnchorCommand).length, 0);
    assert.equal(ra.commandCalls(UpdateTrustAnchorCommand).length, 0, "the anchor already holds the CA the store has");
  });

  it("throws the anchor's failure first when both the anchor and the bundle fail, and made the CA once", async () => {
    ra.on(ListTrustAnchorsCommand).resolves({ trustAnchors: [] });
    ra.on(CreateTrustAnchorCommand).rejects(new Error("AccessDeniedException"));

    await assert.rejects(bootstrapDeployment(deps(`${bucket}-missing`), { trustAnchorName: NAME }), {
      code: "ERR_BUNDLE_PUBLISH",
      message: /Roles Anywhere CreateTrustAnchor failed/,
    });
    const journal = (await runtime.store.getJournal("x509")) as CaJournal;
    await assert.rejects(bootstrapDeployment(deps(`${bucket}-missing`), { trustAnchorName: NAME }));
    assert.deepEqual(await runtime.store.getJournal("x509"), journal, "a retry keeps the CA it made");
  });
});

after(() => ddb.destroy());
