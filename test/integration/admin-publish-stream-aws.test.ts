// The admin function publishes nothing itself: an emergency rotation or a revocation writes the CA
// journal or a CRL to DynamoDB, and the rotate function publishes them when the table's stream shows
// the change. Against moto: the table's real stream (read with DescribeStream / GetShardIterator /
// GetRecords), KMS, and S3; the trust anchor is the simulation's fake (moto has no Roles Anywhere).
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, GetObjectCommand, NoSuchKey } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { X509Certificate, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createAdminHandler } from "../../functions/admin/create-handler.js";
import { createRotateHandler } from "../../functions/rotate/create-handler.js";
import { parseCrl, parseSpiffeBundle, type Bundle } from "#tessera/core";
import type { HttpEvent } from "#tessera/contract";
import { BundlePublishError, loadConfig, type CaJournal } from "#tessera/issuer";
import {
  createBundlePublishers,
  createCrlPublishers,
  createS3Client,
  namePublishers,
  PUBLISHING_PARTITIONS,
  publishingPartitionOf,
  type TesseraRuntime,
} from "#tessera/aws";
import { buildRuntime } from "#tessera/dev";
import { createCaptureLogger } from "../support/capture-logger.js";
import { call, makeCsr, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";
import { openTableStream, type TableStreamReader } from "../support/table-stream.js";
import { createTesseraTable } from "../support/tessera-table.js";
import { FakeTrustAnchor } from "../rotation/simulation-world.js";

const ANCHOR_ID = "00000000-0000-4000-8000-000000000000";
const ADMIN_ARN = "arn:aws:iam::123456789012:role/tessera-operator";
const WEB = "spiffe://example.org/web/frontend";
const ddb = new DynamoDBClient({});
const s3 = createS3Client({ forcePathStyle: true });

/** An API Gateway (payload 2.0) event for the admin function, IAM-authorised as `ADMIN_ARN`. */
function adminEvent(method: string, path: string, body: unknown): HttpEvent {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { authorizer: { iam: { userArn: ADMIN_ARN, accountId: "123456789012" } } },
  } as unknown as HttpEvent;
}

async function objectText(bucket: string, key: string): Promise<string | undefined> {
  try {
    return await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  } catch (err) {
    if (err instanceof NoSuchKey) return undefined;
    throw err;
  }
}

const spkiOf = (der: Uint8Array) => new X509Certificate(der).publicKey.export({ format: "der", type: "spki" }).toString("base64");
const keysOf = (bundle: Bundle) => bundle.x509Authorities.map(spkiOf);

describe("publishing what the admin function writes, from the table's stream (DynamoDB, KMS, S3)", () => {
  let tableName: string;
  let bucket: string;
  let h: IssuerHarness;
  let rotateRuntime: TesseraRuntime;
  let stream: TableStreamReader;
  const anchor = new FakeTrustAnchor();
  const configs = () => ({ bundleBucket: bucket, trustAnchorId: ANCHOR_ID, awsEndpoints: {} });
  let admin: ReturnType<typeof createAdminHandler>;
  let rotate: ReturnType<typeof createRotateHandler>;
  const published = async () => parseSpiffeBundle((await objectText(bucket, "bundle.json"))!, h.runtime.config.trustDomain);

  before(async () => {
    tableName = await createTesseraTable(ddb, "tessera-publish", { stream: true });
    bucket = `tessera-publish-${randomBytes(4).toString("hex")}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const env = {
      TESSERA_STORE: "dynamodb",
      TESSERA_TABLE_NAME: tableName,
      TESSERA_KEY_MANAGER: "kms",
      TESSERA_KMS_ALIAS_PREFIX: `alias/tessera-test/${randomBytes(4).toString("hex")}/`,
    };
    // The admin function: its runtime has no publisher (the configuration it sees names no bucket
    // to it here; in AWS it names one and builds none), and its answers name what is scheduled.
    h = await startIssuer(env);
    admin = createAdminHandler(h.runtime, { scheduled: namePublishers(configs()) });
    // The rotate function: another Lambda environment over the same table and keys, with the publishers.
    const config = loadConfig({ TESSERA_TRUST_DOMAIN: "example.org", TESSERA_LOG_LEVEL: "ERROR", ...env });
    rotateRuntime = await buildRuntime(config, {
      clock: h.clock,
      logger: createCaptureLogger(),
      crlPublishers: createCrlPublishers({ bundleBucket: bucket, awsEndpoints: {} }, { s3 }),
    });
    const pacing = { minIntervalMs: 0, sleep: async () => undefined };
    rotate = createRotateHandler({
      ...rotateRuntime,
      publishers: createBundlePublishers(configs(), { s3, rolesAnywhere: anchor as never, pacing }),
    });
    await rotate({ source: "aws.events" });
    stream = await openTableStream(ddb, tableName);
    await stream.read();
  });
  after(async () => {
    await rotateRuntime.close();
    await h.close();
    await ddb.send(new DeleteTableCommand({ TableName: tableName }));
  });

  it("an emergency rotation by the admin function reaches S3 and the trust anchor when the rotate function gets the stream's records", async () => {
    const before = await published();
    assert.equal(before.x509Authorities.length, 1);
    assert.equal(anchor.certificateCount(), 1);

    const res = await admin(adminEvent("POST", "/v1/admin/ca/rotate", { emergency: true, kind: "x509", reason: "key exposed" }));

    assert.equal(res.statusCode, 200, res.body as string);
    const answer = JSON.parse(res.body as string) as { steps: { type: string }[]; published: unknown[]; scheduled: string[] };
    assert.deepEqual(
      answer.steps.map((s) => s.type),
      ["prepare", "activate", "drop"],
    );
    assert.deepEqual(answer.published, [], "the admin function published nothing itself");
    assert.deepEqual(answer.scheduled, ["aws_s3", "aws_rolesanywhere_trustanchor"]);
    assert.deepEqual(keysOf(await published()), keysOf(before), "S3 still holds the compromised CA until the rotate function runs");

    const records = await stream.read();
    assert.ok(stream.partitions(records).includes("JOURNAL#x509"), `the stream holds the journal's change: ${stream.partitions(records)}`);
    const result = await rotate({ Records: records.filter((r) => publishingPartitionOf(r) !== undefined) });

    const journal = (await rotateRuntime.store.getJournal("x509")) as CaJournal;
    assert.equal(journal.slots.length, 1);
    const after = await published();
    assert.equal(after.x509Authorities.length, 1, "only the new CA is in S3");
    assert.notDeepEqual(keysOf(after), keysOf(before));
    assert.equal(anchor.certificateCount(), 1);
    assert.equal(anchor.pem.trim(), journal.slots[0]!.certificatePem!.trim(), "the trust anchor holds the new CA only");
    assert.ok(result.published.some((p) => p.publisher === "aws_s3" && p.changed));
  });

  it("a revocation by the admin function reaches the bucket's CRL when the rotate function gets the stream's records", async () => {
    const token = await call(h.url, "POST", "/v1/admin/bots", {
      admin: true,
      body: { name: "web", allowed_spiffe_ids: [WEB] },
    });
    assert.equal(token.status, 201, token.text);
    const minted = await call(h.url, "POST", "/v1/admin/tokens", { admin: true, body: { bot_name: "web" } });
    const joined = await call(h.url, "POST", "/v1/join", { body: { join_method: "token", token: minted.json.token } });
    const svid = await call(h.url, "POST", "/v1/svids/x509", {
      bearer: joined.json.credential as string,
      body: { csr: (await makeCsr()).csr, spiffe_id: WEB },
    });
    assert.equal(svid.status, 200, svid.text);
    const serial = svid.json.serial_number as string;
    await stream.read();

    const res = await admin(adminEvent("POST", "/v1/admin/revocations", { serial }));

    assert.equal(res.statusCode, 200, res.body as string);
    const answer = JSON.parse(res.body as string) as { published: unknown[]; scheduled: string[]; crls: unknown[] };
    assert.equal(answer.crls.length, 1, "the CRL is signed and stored by the admin function");
    assert.deepEqual(answer.published, []);
    assert.deepEqual(answer.scheduled, ["aws_s3_crl", "aws_rolesanywhere_crl"]);
    const key = `crl/${((await rotateRuntime.store.getJournal("x509")) as CaJournal).slots[0]!.keyId}.crl`;
    assert.equal(await objectText(bucket, key), undefined, "no CRL in the bucket before the rotate function runs");

    const records = await stream.read();
    const partitions = stream.partitions(records);
    assert.ok(partitions.includes("CRL"), `the stream holds the CRL's change: ${partitions}`);
    assert.ok(
      partitions.some((pk) => !PUBLISHING_PARTITIONS.includes(pk)),
      "the stream also holds the revocation and its audit events, which the filter leaves out",
    );
    await rotate({ Records: records.filter((r) => publishingPartitionOf(r) !== undefined) });

    const der = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const crl = parseCrl(await der.Body!.transformToByteArray());
    assert.deepEqual(
      crl.revoked.map((r) => r.serialNumber),
      [serial],
    );
  });

  it("fails a stream batch whose CRL could not be published, so Lambda delivers it again; the schedule's tick only logs it", async () => {
    const failing = createRotateHandler({
      ...rotateRuntime,
      revocation: {
        ...rotateRuntime.revocation,
        crlPublishers: createCrlPublishers({ bundleBucket: `${bucket}-missing`, awsEndpoints: {} }, { s3 }),
      },
      publishers: [],
    });
    const change = { Records: [{ eventSource: "aws:dynamodb", dynamodb: { Keys: { pk: { S: "CRL" }, sk: { S: "ab" } } } }] };

    await assert.rejects(failing(change), (err: Error) => {
      assert.ok(err instanceof BundlePublishError, String(err));
      assert.match(err.message, /^bundlepublisher: 1 of 1 publishers failed \(aws_s3_crl: /);
      return true;
    });
    await assert.doesNotReject(failing({ source: "aws.events" }));
  });
});
