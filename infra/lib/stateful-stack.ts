import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import { OIDC_DISCOVERY_PATH, OIDC_JWKS_PATH } from "#tessera/issuer";
import {
  GLOBAL_SECONDARY_INDEXES,
  type KeySchemaAttribute,
  TABLE_ATTRIBUTE_DEFINITIONS,
  TABLE_KEY_SCHEMA,
  TTL_ATTRIBUTE,
} from "#tessera/aws";
import { KeyScope } from "./key-scope.js";
import type { TesseraSettings } from "./settings.js";

/** Inputs of the stateful stack. */
export interface TesseraStatefulStackProps extends StackProps {
  settings: TesseraSettings;
}

function attribute(name: string): dynamodb.Attribute {
  const definition = TABLE_ATTRIBUTE_DEFINITIONS.find((d) => d.AttributeName === name);
  if (definition?.AttributeType !== "S") throw new Error(`infra: table attribute ${name} has no string definition`);
  return { name, type: dynamodb.AttributeType.STRING };
}

function keyOf(schema: readonly KeySchemaAttribute[], type: "HASH" | "RANGE"): dynamodb.Attribute {
  const key = schema.find((k) => k.KeyType === type);
  if (!key) throw new Error(`infra: the table schema has no ${type} key`);
  return attribute(key.AttributeName);
}

/**
 * What outlives every deployment: the DynamoDB table (bots, tokens, the CA journal, audit), the
 * bundle bucket, and the scope of the KMS keys. All retained when the stack is deleted; the
 * table also refuses deletion until its protection is turned off.
 */
export class TesseraStatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly bundleBucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  readonly keys: KeyScope;

  constructor(scope: Construct, id: string, props: TesseraStatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.keys = new KeyScope({ trustDomain: settings.trustDomain, aliasPrefix: settings.kmsAliasPrefix, keySpec: settings.keySpec });
    this.table = this.#table();
    this.accessLogBucket = this.#accessLogBucket();
    this.bundleBucket = this.#bundleBucket(settings.publicBundles);

    new CfnOutput(this, "TableName", { value: this.table.tableName, description: "DynamoDB table of the store" });
    new CfnOutput(this, "BundleBucketName", { value: this.bundleBucket.bucketName, description: "Bucket of bundle.json and bundle.pem" });
    new CfnOutput(this, "KmsAliasPrefix", { value: this.keys.aliasPrefix, description: "Alias prefix of Tessera's KMS keys" });
  }

  #table(): dynamodb.Table {
    const table = new dynamodb.Table(this, "Table", {
      partitionKey: keyOf(TABLE_KEY_SCHEMA, "HASH"),
      sortKey: keyOf(TABLE_KEY_SCHEMA, "RANGE"),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // Keys only: the rotate function publishes when a CA journal or a CRL item changed.
      stream: dynamodb.StreamViewType.KEYS_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const gsi of GLOBAL_SECONDARY_INDEXES) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.IndexName,
        partitionKey: keyOf(gsi.KeySchema, "HASH"),
        sortKey: keyOf(gsi.KeySchema, "RANGE"),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    return table;
  }

  #accessLogBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This is the access-log bucket of the bundle bucket; logging it into itself would loop.",
    });
    return bucket;
  }

  #bundleBucket(publicBundles: boolean): s3.Bucket {
    const bucket = new s3.Bucket(this, "Bundles", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: publicBundles ? s3.BlockPublicAccess.BLOCK_ACLS_ONLY : s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: "bundles/",
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (publicBundles) {
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: "PublicTrustBundle",
          principals: [new iam.AnyPrincipal()],
          actions: ["s3:GetObject"],
          // The bundle, and the OIDC discovery document and JWKS published beside it (the same public keys).
          resources: ["bundle.json", "bundle.pem", OIDC_DISCOVERY_PATH.slice(1), OIDC_JWKS_PATH.slice(1)].map((key) =>
            bucket.arnForObjects(key),
          ),
        }),
      );
      Validations.of(bucket).acknowledge({
        id: "AwsSolutions-S2",
        reason:
          "publicBundles is set: the trust bundle (public CA certificates and JWT keys) is meant to be world-readable; only bundle.json, bundle.pem and the OIDC discovery document and JWKS are.",
      });
    }
    return bucket;
  }
}
