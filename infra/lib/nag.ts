import { Stack, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/** A wildcard resource the AwsSolutions-IAM5 rule flags, and why it is as narrow as IAM allows. */
export interface WildcardReason {
  /** The resource exactly as the policy statement has it (tokens and all). */
  resource: string;
  reason: string;
}

function flatten(value: unknown): string {
  if (typeof value === "string") return value.replace(/\$\{/g, "<").replace(/\}/g, ">");
  if (value && typeof value === "object") {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node["Fn::Join"])) {
      const [delimiter, parts] = node["Fn::Join"] as [string, unknown[]];
      return parts.map(flatten).join(delimiter);
    }
    if (Array.isArray(node["Fn::GetAtt"])) {
      const [resource, attribute] = node["Fn::GetAtt"] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ("Ref" in node) return `<${flatten(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

/** A resource as cdk-nag names it in a finding: references become `<LogicalId>` or `<LogicalId.Attribute>`. */
export function nagResourceName(scope: IConstruct, resource: string): string {
  return flatten(Stack.of(scope).resolve(resource));
}

/** Acknowledge, on `scope` (a role or policy and everything under it), each wildcard resource with its reason. */
export function acknowledgeWildcards(scope: IConstruct, wildcards: readonly WildcardReason[]): void {
  Validations.of(scope).acknowledge(
    ...wildcards.map(({ resource, reason }) => ({ id: `AwsSolutions-IAM5[Resource::${nagResourceName(scope, resource)}]`, reason })),
  );
}
