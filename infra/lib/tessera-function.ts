import { Duration, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { LogLevel, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { join } from "node:path";
import { GLOBAL_SECONDARY_INDEXES, LAMBDA_BUNDLE_ALIASES, publishingStreamFilterPattern } from "#tessera/aws";
import { OIDC_DISCOVERY_PATH, OIDC_JWKS_PATH } from "#tessera/issuer";
import type { KeyAccess, KeyScope } from "./key-scope.js";
import { acknowledgeWildcards, type WildcardReason } from "./nag.js";
import { REPO_ROOT } from "./paths.js";
import { configEnvironment, type TesseraSettings } from "./settings.js";
import type { TableAccess } from "./table-access.js";

/** The Lambda runtime of every Tessera function: the newest Node.js this aws-cdk-lib knows. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Modules a Lambda bundle replaces by the part of them that runs in Lambda (see their sources). */
export const LAMBDA_ALIASES = {
  "--alias": Object.entries(LAMBDA_BUNDLE_ALIASES).map(([module, file]) => `${module}=./layers/spiffe/src/aws/lambda/${file}`),
};

/** Inputs of `TesseraFunction`. */
export interface TesseraFunctionProps {
  /** Entry file, relative to the repository root, e.g. `functions/join/handler.ts`. */
  entry: string;
  description: string;
  settings: TesseraSettings;
  /** Default 512 MB (more memory is more CPU, which is what a cold start spends). */
  memorySize?: number;
  /** Default 10 seconds. */
  timeout?: Duration;
  /** Retries of an asynchronous invocation. Default: Lambda's (2). */
  retryAttempts?: number;
}

/**
 * A Tessera Lambda function with the team's defaults fixed: arm64, the current Node.js runtime, an
 * ESM bundle built by the local esbuild (no Docker), its own log group with the configured
 * retention, a role with no managed policy, and the `TESSERA_*` configuration. Each `bind*` call
 * grants exactly the access the function needs and sets the variable that points it there, so
 * the two can never disagree.
 */
export class TesseraFunction extends Construct implements iam.IGrantable {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: TesseraFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, "Logs", { retention: props.settings.logRetentionDays as logs.RetentionDays });
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `${props.description} (Tessera)`,
    });
    this.grantPrincipal = this.role;
    this.function = new NodejsFunction(this, "Function", {
      entry: join(REPO_ROOT, props.entry),
      handler: "handler",
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      ...(props.retryAttempts === undefined ? {} : { retryAttempts: props.retryAttempts }),
      role: this.role,
      logGroup: this.logGroup,
      environment: configEnvironment(props.settings),
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
      bundling: {
        format: OutputFormat.ESM,
        target: "node24",
        mainFields: ["module", "main"],
        minify: true,
        // No keepNames: its helper renamed every function and class of the bundle on each cold start
        // (about 7 ms of the import's CPU). The error classes name themselves (nameErrorClasses), so
        // `err.name` in logs is unchanged.
        keepNames: false,
        sourceMap: false,
        // The SDK is bundled too: the versions that ran the tests are the ones that run in Lambda
        // (the runtime's own SDK is a different, moving version, and has no Roles Anywhere client
        // of the version pinned here). Only its default credential chain is cut to the link Lambda
        // uses (layers/spiffe/src/aws/lambda/): a third of every bundle otherwise.
        externalModules: [],
        // The only "legal" comment the bundled packages carry is a coverage pragma (`@preserve`)
        // that esbuild would otherwise copy to the end of every bundle.
        esbuildArgs: { ...LAMBDA_ALIASES, "--legal-comments": "none" },
        tsconfig: join(REPO_ROOT, "tsconfig.json"),
        logLevel: LogLevel.WARNING,
        // Some bundled CommonJS dependencies call require() for Node built-ins.
        banner: "import { createRequire as __tesseraRequire } from 'node:module'; const require = __tesseraRequire(import.meta.url);",
      },
    });
    this.logGroup.grantWrite(this.role);
  }

  /** Use `table` as the store, with exactly `access`'s actions (indexes only when it queries them). */
  bindTable(table: dynamodb.ITable, access: TableAccess): this {
    const resources = [table.tableArn];
    if (access.indexes) resources.push(...GLOBAL_SECONDARY_INDEXES.map((gsi) => `${table.tableArn}/index/${gsi.IndexName}`));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: "TesseraTable", actions: [...access.actions], resources }));
    this.function.addEnvironment("TESSERA_STORE", "dynamodb").addEnvironment("TESSERA_TABLE_NAME", table.tableName);
    return this;
  }

  /** Use Tessera's KMS keys: `sign` to sign with them, `manage` to also create and retire them. */
  bindKeys(keys: KeyScope, access: KeyAccess): this {
    keys.grant(this, access);
    this.explainWildcards(keys.wildcards(this, access));
    this.function.addEnvironment("TESSERA_KEY_MANAGER", "kms").addEnvironment("TESSERA_KMS_ALIAS_PREFIX", keys.aliasPrefix);
    return this;
  }

  /**
   * Publish `bundle.json`, `bundle.pem` and the OIDC discovery document and JWKS to `bucket` (HeadObject
   * to skip unchanged writes needs ListBucket for a 404).
   */
  bindBundleBucket(bucket: s3.IBucket): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "PublishBundleObjects",
        actions: ["s3:GetObject", "s3:PutObject"],
        resources: ["bundle.json", "bundle.pem", OIDC_DISCOVERY_PATH.slice(1), OIDC_JWKS_PATH.slice(1)].map((key) =>
          bucket.arnForObjects(key),
        ),
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: "SeeMissingBundleObjects", actions: ["s3:ListBucket"], resources: [bucket.bucketArn] }),
    );
    this.function.addEnvironment("TESSERA_BUNDLE_BUCKET", bucket.bucketName);
    return this;
  }

  /** Publish each CA's CRL as `crl/x509-ca-a.crl` / `-b.crl` in `bucket`, and import it into Roles Anywhere when there is a trust anchor. */
  bindCrlPublishing(bucket: s3.IBucket, trustAnchor: { trustAnchorId: string; trustAnchorArn: string } | undefined): this {
    const crlObjects = ["a", "b"].map((slot) => bucket.arnForObjects(`crl/x509-ca-${slot}.crl`));
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: "PublishCrlObjects", actions: ["s3:GetObject", "s3:PutObject"], resources: crlObjects }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: "SeeMissingCrlObjects", actions: ["s3:ListBucket"], resources: [bucket.bucketArn] }),
    );
    this.function.addEnvironment("TESSERA_BUNDLE_BUCKET", bucket.bucketName);
    const wildcards: WildcardReason[] = [];
    if (trustAnchor) {
      const crls = Stack.of(this).formatArn({ service: "rolesanywhere", resource: "crl", resourceName: "*" });
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: "ReadTrustAnchorForCrls",
          actions: ["rolesanywhere:GetTrustAnchor"],
          resources: [trustAnchor.trustAnchorArn],
        }),
      );
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: "ImportCrls",
          actions: ["rolesanywhere:ImportCrl", "rolesanywhere:UpdateCrl", "rolesanywhere:TagResource"],
          resources: [crls, trustAnchor.trustAnchorArn],
        }),
      );
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: "ListCrls", actions: ["rolesanywhere:ListCrls"], resources: ["*"] }));
      this.function.addEnvironment("TESSERA_TRUST_ANCHOR_ID", trustAnchor.trustAnchorId);
      wildcards.push(
        { resource: crls, reason: "CRL ids are made by ImportCrl at run time; Tessera imports one per CA." },
        { resource: "*", reason: "rolesanywhere:ListCrls takes no resource." },
      );
    }
    return this.explainWildcards(wildcards);
  }

  /**
   * Name the bucket the bundle and CRLs are published to (`TESSERA_BUNDLE_BUCKET`) without any access
   * to it: the admin function names what the rotate function publishes for its changes.
   */
  nameBundleBucket(bucket: s3.IBucket): this {
    this.function.addEnvironment("TESSERA_BUNDLE_BUCKET", bucket.bucketName);
    return this;
  }

  /** Read the trust anchor and the CRLs imported for it (the admin's CA page); changes nothing. */
  bindTrustAnchorReading(trustAnchor: { trustAnchorId: string; trustAnchorArn: string }): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "ReadTrustAnchor",
        actions: ["rolesanywhere:GetTrustAnchor"],
        resources: [trustAnchor.trustAnchorArn],
      }),
    );
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: "ListCrls", actions: ["rolesanywhere:ListCrls"], resources: ["*"] }));
    this.function.addEnvironment("TESSERA_TRUST_ANCHOR_ID", trustAnchor.trustAnchorId);
    return this.explainWildcards([{ resource: "*", reason: "rolesanywhere:ListCrls takes no resource." }]);
  }

  /**
   * Run the function with the records of `table`'s stream that changed a CA journal or a CRL (the
   * filter passes nothing else), so what the admin function writes is published within seconds. A
   * failed batch is retried `retryAttempts` times, then left to the schedule, which publishes too.
   */
  bindPublishingChanges(table: dynamodb.ITable, options: { retryAttempts: number; maxRecordAge: Duration }): this {
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error("infra: the table has no stream; the rotate function publishes from it");
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "ReadTableStream",
        actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
        resources: [streamArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: "ListTableStreams", actions: ["dynamodb:ListStreams"], resources: ["*"] }),
    );
    const mapping = new lambda.EventSourceMapping(this, "PublishingChanges", {
      target: this.function,
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.LATEST,
      batchSize: 100,
      filters: [{ pattern: publishingStreamFilterPattern() }],
      retryAttempts: options.retryAttempts,
      maxRecordAge: options.maxRecordAge,
      bisectBatchOnError: false,
    });
    // The mapping reads the stream as the role: create it once the role's policy allows that.
    mapping.node.addDependency(this.role);
    return this.explainWildcards([{ resource: "*", reason: "dynamodb:ListStreams takes no resource; Lambda's stream poller calls it." }]);
  }

  /** Record on the role why each of its wildcard resources is as narrow as IAM allows (cdk-nag IAM5). */
  explainWildcards(wildcards: readonly WildcardReason[]): this {
    acknowledgeWildcards(this.role, wildcards);
    return this;
  }

  /** Put `issuerUrl` in the JWT-SVIDs the function signs (`iss`) and the OIDC documents it serves or publishes. */
  bindIssuerUrl(issuerUrl: string): this {
    this.function.addEnvironment("TESSERA_ISSUER_URL", issuerUrl);
    return this;
  }

  /** Keep the trust anchor `trustAnchorArn` holding the current CAs. */
  bindTrustAnchor(trustAnchor: { trustAnchorId: string; trustAnchorArn: string }): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "UpdateTrustAnchor",
        actions: ["rolesanywhere:GetTrustAnchor", "rolesanywhere:UpdateTrustAnchor"],
        resources: [trustAnchor.trustAnchorArn],
      }),
    );
    this.function.addEnvironment("TESSERA_TRUST_ANCHOR_ID", trustAnchor.trustAnchorId);
    return this;
  }
}
