import { CustomResource, Duration, Stack, Validations } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as s3 from "aws-cdk-lib/aws-s3";
import * as cr from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import type { KeyScope } from "./key-scope.js";
import { acknowledgeWildcards } from "./nag.js";
import type { TesseraSettings } from "./settings.js";
import { TABLE_ACCESS } from "./table-access.js";
import { TesseraFunction } from "./tessera-function.js";

/** CloudFormation type of the deployment's custom resource. */
export const BOOTSTRAP_RESOURCE_TYPE = "Custom::TesseraBootstrap";
/** Tag that marks Tessera's trust anchor, valued with its trust domain. */
export const ANCHOR_TRUST_DOMAIN_TAG = "tessera:trust-domain";

/** Inputs of `TesseraBootstrap`. */
export interface TesseraBootstrapProps {
  settings: TesseraSettings;
  table: dynamodb.ITable;
  keys: KeyScope;
  bundleBucket: s3.IBucket;
}

/** Tessera's Roles Anywhere trust anchor, as the custom resource reports it. */
export interface TrustAnchorRef {
  trustAnchorId: string;
  trustAnchorArn: string;
}

/**
 * The deployment's custom resource (the CDK Provider framework around
 * `functions/rotate/bootstrap-handler.ts`): it runs the library's ensure step, so the first CA and
 * JWT key exist, publishes the first bundle, and creates the IAM Roles Anywhere trust anchor
 * holding that CA. Tessera creates the anchor, CloudFormation does not own it: the resource's
 * properties carry no certificate and an update never writes one, so only rotation changes the
 * anchor's CAs and no later `cdk deploy` can put a stale CA back.
 */
export class TesseraBootstrap extends Construct {
  /** The trust anchor; undefined when the deployment has none (`rolesAnywhere` is false). */
  readonly trustAnchor: TrustAnchorRef | undefined;
  /** The function behind the custom resource. */
  readonly handler: TesseraFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: TesseraBootstrapProps) {
    super(scope, id);
    const { settings } = props;
    this.handler = new TesseraFunction(this, "Handler", {
      entry: "functions/rotate/bootstrap-handler.ts",
      description: "Deployment: first CA and JWT key, the Roles Anywhere trust anchor, first bundle",
      settings,
      memorySize: 256,
      timeout: Duration.minutes(5),
    })
      .bindTable(props.table, TABLE_ACCESS.rotate)
      .bindKeys(props.keys, "manage")
      .bindBundleBucket(props.bundleBucket);
    if (settings.rolesAnywhere) this.#grantAnchorManagement(settings);

    const provider = new cr.Provider(this, "Provider", {
      onEventHandler: this.handler.function,
      logGroup: new logs.LogGroup(this, "ProviderLogs", { retention: settings.logRetentionDays as logs.RetentionDays }),
    });
    this.resource = new CustomResource(this, "Resource", {
      serviceToken: provider.serviceToken,
      resourceType: BOOTSTRAP_RESOURCE_TYPE,
      properties: settings.rolesAnywhere
        ? {
            TrustDomain: settings.trustDomain,
            TrustAnchorName: settings.trustAnchorName,
            TrustAnchorRemovalPolicy: settings.trustAnchorRemovalPolicy,
          }
        : { TrustDomain: settings.trustDomain },
    });
    this.trustAnchor = settings.rolesAnywhere
      ? { trustAnchorId: this.resource.getAttString("TrustAnchorId"), trustAnchorArn: this.resource.getAttString("TrustAnchorArn") }
      : undefined;

    Validations.of(provider).acknowledge(
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason: "The CDK Provider framework's own function writes its logs through AWSLambdaBasicExecutionRole.",
      },
      { id: "AwsSolutions-L1", reason: "The CDK Provider framework picks its own function's runtime; Tessera's functions use the newest." },
    );
    acknowledgeWildcards(provider, [
      {
        resource: `${this.handler.function.functionArn}:*`,
        reason: "The CDK Provider framework may invoke any version of the bootstrap function.",
      },
    ]);
  }

  #grantAnchorManagement(settings: TesseraSettings): void {
    const stack = Stack.of(this);
    const anchors = stack.formatArn({ service: "rolesanywhere", resource: "trust-anchor", resourceName: "*" });
    const role = this.handler.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: "FindTrustAnchor", actions: ["rolesanywhere:ListTrustAnchors"], resources: ["*"] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "CreateTaggedTrustAnchor",
        actions: ["rolesanywhere:CreateTrustAnchor", "rolesanywhere:TagResource"],
        resources: [anchors],
        conditions: {
          StringEquals: { [`aws:RequestTag/${ANCHOR_TRUST_DOMAIN_TAG}`]: settings.trustDomain },
          "ForAllValues:StringEquals": { "aws:TagKeys": [ANCHOR_TRUST_DOMAIN_TAG] },
        },
      }),
    );
    const ownActions = ["rolesanywhere:GetTrustAnchor", "rolesanywhere:ListTagsForResource", "rolesanywhere:UpdateTrustAnchor"];
    if (settings.trustAnchorRemovalPolicy === "destroy") ownActions.push("rolesanywhere:DeleteTrustAnchor");
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "ManageOwnTrustAnchor",
        actions: ownActions,
        resources: [anchors],
        conditions: { StringEquals: { [`aws:ResourceTag/${ANCHOR_TRUST_DOMAIN_TAG}`]: settings.trustDomain } },
      }),
    );
    this.handler.explainWildcards([
      {
        resource: "*",
        reason: "rolesanywhere:ListTrustAnchors is a list action with no resource; it finds an anchor a retained deployment left.",
      },
      {
        resource: anchors,
        reason: "The anchor id is made at run time; every statement on it requires the trust-domain request or resource tag.",
      },
    ]);
  }
}
