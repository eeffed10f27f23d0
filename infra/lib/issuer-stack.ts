import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as eventTargets from "aws-cdk-lib/aws-events-targets";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import { ADMIN_ROUTES, ISSUE_ROUTES, JOIN_ROUTES, type RouteDescriptor, routeKeyOf } from "#tessera/contract";
import { TesseraHttpApi } from "./http-api.js";
import type { KeyScope } from "./key-scope.js";
import { TesseraRolesAnywhere } from "./roles-anywhere.js";
import { issuerUrlOf, type TesseraSettings } from "./settings.js";
import { TABLE_ACCESS } from "./table-access.js";
import { TesseraFunction } from "./tessera-function.js";
import { TesseraBootstrap } from "./bootstrap.js";
import { TesseraAgentlessExample } from "./agentless-example.js";

/** The stateful resources the issuer uses. */
export interface StatefulResources {
  table: dynamodb.ITable;
  bundleBucket: s3.IBucket;
  keys: KeyScope;
}

/** Inputs of the issuer stack. */
export interface TesseraIssuerStackProps extends StackProps {
  settings: TesseraSettings;
  stateful: StatefulResources;
}

/**
 * The route keys a function answers, read from the API contract so the API cannot drift from it;
 * `iam` says whether they are the IAM-authorised ones, and a route of the other kind is refused.
 */
export function routeKeysOf(routes: readonly RouteDescriptor[], iam = false): string[] {
  const stray = routes.find((route) => (route.auth === "iam") !== iam);
  if (stray)
    throw new Error(`infra: ${routeKeyOf(stray)} is ${stray.auth}-authorised, not on the ${iam ? "IAM" : "public"} side of the API`);
  return routes.map(routeKeyOf);
}

/**
 * Everything stateless: the join, issue, admin and rotate functions, the HTTP API in front of the
 * first three, the rotation schedule, the deployment's custom resource (first CA, first bundle,
 * the Roles Anywhere trust anchor) and a Roles Anywhere profile with an example role.
 */
export class TesseraIssuerStack extends Stack {
  readonly join: TesseraFunction;
  readonly issue: TesseraFunction;
  readonly admin: TesseraFunction;
  readonly rotate: TesseraFunction;
  readonly bootstrap: TesseraBootstrap;
  readonly http: TesseraHttpApi;
  readonly rolesAnywhere: TesseraRolesAnywhere | undefined;
  readonly schedule: events.Rule;
  /** The example of SVIDs with no agent, when `agentlessExample=true`. */
  readonly agentlessExample: TesseraAgentlessExample | undefined;

  constructor(scope: Construct, id: string, props: TesseraIssuerStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const { table, bundleBucket, keys } = props.stateful;

    this.bootstrap = new TesseraBootstrap(this, "Bootstrap", { settings, table, keys, bundleBucket });
    const { trustAnchor } = this.bootstrap;
    this.join = new TesseraFunction(this, "Join", {
      entry: "functions/join/handler.ts",
      description: "Join and renew: bot credentials",
      settings,
    }).bindTable(table, TABLE_ACCESS.join);
    this.issue = new TesseraFunction(this, "Issue", {
      entry: "functions/issue/handler.ts",
      description: "X.509-SVIDs, JWT-SVIDs and the trust bundle",
      settings,
    })
      .bindTable(table, TABLE_ACCESS.issue)
      .bindKeys(keys, "sign");
    // The admin function runs emergency rotations itself (a new key, the compromised one retired) so
    // they take effect before the call returns, not at the next tick; it publishes nothing itself:
    // the rotate function publishes the journal and CRL changes the table's stream shows it.
    this.admin = new TesseraFunction(this, "Admin", {
      entry: "functions/admin/handler.ts",
      description: "Admin API: bots, join tokens, locks, audit, CA status, emergency rotation and revocation",
      settings,
      // API Gateway answers 503 after 30 s whatever the function does; an emergency takes a few seconds.
      timeout: Duration.seconds(29),
    })
      .bindTable(table, TABLE_ACCESS.admin)
      .bindKeys(keys, "manage")
      .nameBundleBucket(bundleBucket);
    if (trustAnchor) this.admin.bindTrustAnchorReading(trustAnchor);
    this.rotate = new TesseraFunction(this, "Rotate", {
      entry: "functions/rotate/handler.ts",
      description: "Scheduled and on CA journal or CRL changes: rotate the CA and JWT key, publish the bundle and CRLs",
      settings,
      memorySize: 256,
      timeout: Duration.minutes(2),
      retryAttempts: 0,
    })
      .bindTable(table, TABLE_ACCESS.rotate)
      .bindKeys(keys, "manage")
      .bindBundleBucket(bundleBucket)
      .bindCrlPublishing(bundleBucket, trustAnchor)
      .bindPublishingChanges(table, { retryAttempts: 10, maxRecordAge: Duration.hours(1) });
    if (trustAnchor) this.rotate.bindTrustAnchor(trustAnchor);

    this.schedule = new events.Rule(this, "RotationSchedule", {
      description: "Tessera rotation tick",
      schedule: events.Schedule.rate(Duration.minutes(settings.rotateEveryMinutes)),
      targets: [new eventTargets.LambdaFunction(this.rotate.function)],
    });

    this.http = new TesseraHttpApi(this, "Http", {
      settings,
      targets: {
        Join: {
          function: this.join.function,
          routeKeys: routeKeysOf(JOIN_ROUTES),
          authorization: {
            noAuthorizerReason: "Joining presents a join proof and renewing a bot credential; the join function checks both.",
          },
        },
        Issue: {
          function: this.issue.function,
          routeKeys: routeKeysOf(ISSUE_ROUTES),
          authorization: {
            noAuthorizerReason:
              "SVID requests carry a bot credential or a platform proof the issue function checks; GET /v1/bundle is the public trust bundle (SPIFFE https_web), the /.well-known routes the public OIDC discovery document and JWKS; GET /v1/crl/{ca_id} and /v1/revocations are public revocation data.",
          },
        },
        Admin: { function: this.admin.function, routeKeys: routeKeysOf(ADMIN_ROUTES, true), authorization: "iam" },
      },
    });
    // The issuer URL is the API's own unless configured: the functions that sign JWT-SVIDs, serve the
    // discovery document or publish it to S3 (rotate, and the deployment's first publication) get it.
    const issuerUrl = issuerUrlOf(settings, this.http.api.apiEndpoint);
    for (const fn of [this.issue, this.rotate, this.bootstrap.handler, this.admin]) fn.bindIssuerUrl(issuerUrl);
    this.rolesAnywhere = trustAnchor
      ? new TesseraRolesAnywhere(this, "RolesAnywhere", { settings, trustAnchorArn: trustAnchor.trustAnchorArn })
      : undefined;

    this.agentlessExample = settings.agentlessExample
      ? new TesseraAgentlessExample(this, "AgentlessExample", { settings, example: settings.agentlessExample, issuerUrl: this.http.url })
      : undefined;

    new CfnOutput(this, "BundleUrl", { value: `${this.http.url}v1/bundle`, description: "SPIFFE bundle endpoint (https_web)" });
    new CfnOutput(this, "OidcIssuerUrl", {
      value: issuerUrl,
      description: "OIDC issuer of JWT-SVIDs (iss): register it as an IAM OIDC provider or a GCP workload identity pool provider",
    });
    new CfnOutput(this, "BundleObjectUrl", {
      value: settings.publicBundles
        ? `https://${bundleBucket.bucketRegionalDomainName}/bundle.json`
        : `s3://${bundleBucket.bucketName}/bundle.json`,
      description: "bundle.json in the bundle bucket (bundle.pem beside it)",
    });
  }
}
