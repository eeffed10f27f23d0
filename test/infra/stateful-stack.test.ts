// The stateful stack alone (no functions, so no bundling): the table against the store's schema,
// the bundle bucket in both publishing modes, retention, and cdk-nag.
import { Match } from "aws-cdk-lib/assertions";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GLOBAL_SECONDARY_INDEXES, TABLE_ATTRIBUTE_DEFINITIONS, TABLE_KEY_SCHEMA, TTL_ATTRIBUTE } from "#tessera/aws";
import { nagFindings, render, synthStateful, type Json } from "./support.js";

const { app, template } = synthStateful();
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string }
>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe("stateful stack: table", () => {
  const [[, table]] = ofType("AWS::DynamoDB::Table") as [[string, (typeof resources)[string]]];

  it("has exactly the store's key schema, attribute types and indexes", () => {
    assert.deepEqual(table.Properties.KeySchema, TABLE_KEY_SCHEMA);
    assert.deepEqual(
      [...table.Properties.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
      [...TABLE_ATTRIBUTE_DEFINITIONS].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
    );
    assert.deepEqual(table.Properties.GlobalSecondaryIndexes, GLOBAL_SECONDARY_INDEXES);
  });

  it("is on demand, with TTL on the store's attribute, point-in-time recovery and deletion protection", () => {
    assert.equal(table.Properties.BillingMode, "PAY_PER_REQUEST");
    assert.deepEqual(table.Properties.TimeToLiveSpecification, { AttributeName: TTL_ATTRIBUTE, Enabled: true });
    assert.deepEqual(table.Properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.equal(table.Properties.DeletionProtectionEnabled, true);
  });

  it("has a keys-only stream (the rotate function publishes the CA journal's and the CRLs' changes from it)", () => {
    assert.deepEqual(table.Properties.StreamSpecification, { StreamViewType: "KEYS_ONLY" });
  });

  it("is retained when the stack goes", () => {
    assert.equal(table.DeletionPolicy, "Retain");
    assert.equal(table.UpdateReplacePolicy, "Retain");
  });
});

describe("stateful stack: bundle bucket", () => {
  const bundleBucket = (r: typeof resources) =>
    Object.entries(r).find(([, v]) => v.Type === "AWS::S3::Bucket" && v.Properties.VersioningConfiguration)!;

  it("is versioned, encrypted, private, access-logged and retained", () => {
    const [, bucket] = bundleBucket(resources);
    assert.deepEqual(bucket.Properties.VersioningConfiguration, { Status: "Enabled" });
    assert.deepEqual(bucket.Properties.BucketEncryption, {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
    });
    assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    assert.equal(bucket.Properties.LoggingConfiguration.LogFilePrefix, "bundles/");
    assert.equal(bucket.DeletionPolicy, "Retain");
  });

  it("refuses plain HTTP and grants nothing to the public", () => {
    const [name] = bundleBucket(resources);
    const [[, policy]] = ofType("AWS::S3::BucketPolicy").filter(([, p]) => p.Properties.Bucket.Ref === name) as [
      [string, (typeof resources)[string]],
    ];
    const statements = policy.Properties.PolicyDocument.Statement as { Effect: string; Principal: unknown; Condition?: unknown }[];
    assert.deepEqual(
      statements.map((s) => s.Effect),
      ["Deny"],
    );
    assert.deepEqual(statements[0]!.Condition, { Bool: { "aws:SecureTransport": "false" } });
  });

  it("with publicBundles, lets anyone read bundle.json, bundle.pem and the OIDC documents and nothing else", () => {
    const publicApp = synthStateful({ publicBundles: true });
    const publicResources = publicApp.template.toJSON().Resources as typeof resources;
    const [name, bucket] = bundleBucket(publicResources);
    assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: false,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: false,
    });
    const policy = Object.values(publicResources).find((r) => r.Type === "AWS::S3::BucketPolicy" && r.Properties.Bucket.Ref === name)!;
    const allows = (
      policy.Properties.PolicyDocument.Statement as { Effect: string; Principal: unknown; Action: unknown; Resource: unknown[] }[]
    ).filter((s) => s.Effect === "Allow");
    assert.deepEqual(
      allows.map((s) => [s.Principal, s.Action, s.Resource.map(render).sort()]),
      [
        [
          { AWS: "*" },
          "s3:GetObject",
          [
            `<${name}.Arn>/.well-known/jwks.json`,
            `<${name}.Arn>/.well-known/openid-configuration`,
            `<${name}.Arn>/bundle.json`,
            `<${name}.Arn>/bundle.pem`,
          ],
        ],
      ],
    );
    assert.deepEqual(nagFindings(publicApp.app), []);
  });

  it("logs bundle-bucket access into its own retained, private log bucket", () => {
    const [, bucket] = bundleBucket(resources);
    const logBucket = resources[bucket.Properties.LoggingConfiguration.DestinationBucketName.Ref]!;
    assert.equal(logBucket.Type, "AWS::S3::Bucket");
    assert.equal(logBucket.DeletionPolicy, "Retain");
    assert.equal(logBucket.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy, true);
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: "logging.s3.amazonaws.com" } })]) },
    });
  });
});

describe("stateful stack: cdk-nag", () => {
  it("leaves no unacknowledged finding", () => {
    assert.deepEqual(nagFindings(app), []);
  });
});
