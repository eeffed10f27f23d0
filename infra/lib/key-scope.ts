import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type { IConstruct } from "constructs";
import type { WildcardReason } from "./nag.js";

/** Tag KmsKeyManager puts on every key it creates, valued with the trust domain. */
export const KEY_TRUST_DOMAIN_TAG = "tessera:trust-domain";
/** Tag KmsKeyManager puts on every key it creates, valued with the key's slot id. */
export const KEY_ID_TAG = "tessera:key-id";

/** Which KMS access a function gets. */
export type KeyAccess = "sign" | "manage";

/** Inputs of `KeyScope`. */
export interface KeyScopeProps {
  trustDomain: string;
  /** e.g. `alias/tessera/example-org/` */
  aliasPrefix: string;
  /** The key spec new keys are created with. */
  keySpec: string;
}

/**
 * The scope of Tessera's KMS keys. The keys themselves are made at run time by the library (the
 * deployment's custom resource and the rotate function), never by CloudFormation, so this is not a
 * resource but the IAM policy that scopes them: by alias prefix for functions that only sign, and
 * by the trust-domain tag for the functions that create and retire keys (a new key is used before
 * its alias exists).
 */
export class KeyScope {
  readonly trustDomain: string;
  readonly aliasPrefix: string;
  readonly keySpec: string;

  constructor(props: KeyScopeProps) {
    if (!/^alias\/[a-zA-Z0-9/_-]*\/$/.test(props.aliasPrefix) || props.aliasPrefix.startsWith("alias/aws/")) {
      throw new Error("infra: the KMS alias prefix must look like alias/<name>/ and not be under alias/aws/");
    }
    this.trustDomain = props.trustDomain;
    this.aliasPrefix = props.aliasPrefix;
    this.keySpec = props.keySpec;
  }

  /** ARN pattern of every KMS key in the account and region of `scope`; conditions narrow it. */
  keyArnPattern(scope: IConstruct): string {
    return Stack.of(scope).formatArn({ service: "kms", resource: "key", resourceName: "*" });
  }

  /** ARN pattern of Tessera's aliases in the account and region of `scope`. */
  aliasArnPattern(scope: IConstruct): string {
    return Stack.of(scope).formatArn({ service: "kms", resource: this.aliasPrefix.replace(/\/$/, ""), resourceName: "*" });
  }

  /** The statements of an access level, for `grantee`'s account and region. */
  statements(scope: IConstruct, access: KeyAccess): iam.PolicyStatement[] {
    return access === "sign" ? [this.#signStatement(scope)] : this.#manageStatements(scope);
  }

  /** Add the statements of `access` to `grantee`'s policy. */
  grant(grantee: iam.IGrantable & IConstruct, access: KeyAccess): void {
    for (const statement of this.statements(grantee, access)) grantee.grantPrincipal.addToPrincipalPolicy(statement);
  }

  /** Why each wildcard resource of `access` is needed (for the cdk-nag IAM5 suppression on the role). */
  wildcards(scope: IConstruct, access: KeyAccess): WildcardReason[] {
    const keys: WildcardReason = {
      resource: this.keyArnPattern(scope),
      reason:
        access === "sign"
          ? "KMS key ids are made at run time; the kms:ResourceAliases condition limits this to keys behind Tessera's alias prefix."
          : "KMS key ids are made at run time and a new key is used before its alias exists; the aws:ResourceTag (or aws:RequestTag) trust-domain condition limits this to Tessera's keys.",
    };
    if (access === "sign") return [keys];
    return [
      keys,
      {
        resource: "*",
        reason:
          "kms:CreateKey takes no resource; the statement requires the trust-domain request tag, SIGN_VERIFY usage and the configured key spec.",
      },
      {
        resource: this.aliasArnPattern(scope),
        reason: "Only aliases under Tessera's alias prefix; the slot part of each alias is chosen at run time.",
      },
    ];
  }

  #signStatement(scope: IConstruct): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: "SignWithTesseraKeys",
      actions: ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"],
      resources: [this.keyArnPattern(scope)],
      conditions: { "ForAnyValue:StringLike": { "kms:ResourceAliases": `${this.aliasPrefix}*` } },
    });
  }

  #manageStatements(scope: IConstruct): iam.PolicyStatement[] {
    const newKeyTags = {
      StringEquals: { [`aws:RequestTag/${KEY_TRUST_DOMAIN_TAG}`]: this.trustDomain },
      "ForAllValues:StringEquals": { "aws:TagKeys": [KEY_ID_TAG, KEY_TRUST_DOMAIN_TAG] },
    };
    return [
      new iam.PolicyStatement({
        sid: "CreateTesseraKeys",
        actions: ["kms:CreateKey"],
        resources: ["*"],
        conditions: {
          ...newKeyTags,
          StringEquals: { ...newKeyTags.StringEquals, "kms:KeySpec": this.keySpec, "kms:KeyUsage": "SIGN_VERIFY" },
        },
      }),
      new iam.PolicyStatement({
        sid: "TagNewTesseraKeys",
        actions: ["kms:TagResource"],
        resources: [this.keyArnPattern(scope)],
        conditions: newKeyTags,
      }),
      new iam.PolicyStatement({
        sid: "UseAndRetireTesseraKeys",
        actions: ["kms:CreateAlias", "kms:DescribeKey", "kms:GetPublicKey", "kms:ScheduleKeyDeletion", "kms:Sign", "kms:UpdateAlias"],
        resources: [this.keyArnPattern(scope)],
        conditions: { StringEquals: { [`aws:ResourceTag/${KEY_TRUST_DOMAIN_TAG}`]: this.trustDomain } },
      }),
      new iam.PolicyStatement({
        sid: "PointTesseraAliases",
        actions: ["kms:CreateAlias", "kms:UpdateAlias"],
        resources: [this.aliasArnPattern(scope)],
      }),
    ];
  }
}
