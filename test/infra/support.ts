// Shared helpers of the infra tests: the app built in-process with cdk.json's context, the
// policy statements of a function's role, and cdk-nag's findings.
import { App, Validations, type Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTesseraStacks, type TesseraStacks } from "../../infra/lib/create-app.js";
import { REPO_ROOT } from "../../infra/lib/paths.js";
import { readSettings } from "../../infra/lib/settings.js";
import { TesseraStatefulStack } from "../../infra/lib/stateful-stack.js";

/** The context `cdk synth` runs with: cdk.json's, plus `overrides`. */
export function cdkContext(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, "cdk.json"), "utf8")) as { context: Record<string, unknown> };
  return { ...cdkJson.context, ...overrides };
}

const outdirs: string[] = [];
process.once("exit", () => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh app writing to a temporary directory, removed when the test process exits. */
export function newApp(overrides: Record<string, unknown> = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), "tessera-cdk-"));
  outdirs.push(outdir);
  return new App({ context: cdkContext(overrides), outdir });
}

/** Both stacks synthesized in-process (NodejsFunction runs esbuild here), with their templates. */
export function synthTessera(
  overrides: Record<string, unknown> = {},
): TesseraStacks & { app: App; issuerTemplate: Template; statefulTemplate: Template } {
  const app = newApp(overrides);
  const stacks = createTesseraStacks(app);
  return { ...stacks, app, issuerTemplate: Template.fromStack(stacks.issuer), statefulTemplate: Template.fromStack(stacks.stateful) };
}

/** The stateful stack alone (no functions, so nothing is bundled), with cdk-nag registered as in the app. */
export function synthStateful(overrides: Record<string, unknown> = {}): { app: App; stack: TesseraStatefulStack; template: Template } {
  const app = newApp(overrides);
  const stack = new TesseraStatefulStack(app, "TesseraStateful", { settings: readSettings(app.node) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, template: Template.fromStack(stack) };
}

/** cdk-nag AwsSolutions findings (errors and warnings) that no acknowledgment covers. */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks(scope).validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} (${v.severity}) at ${r.constructPath}`));
}

/** Every acknowledgment in the tree: where, which rule, and the reason given. */
export function acknowledgments(scope: IConstruct): { path: string; id: string; reason: unknown }[] {
  const found: { path: string; id: string; reason: unknown }[] = [];
  const visit = (node: IConstruct): void => {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) found.push({ path: node.node.path, id, reason });
    }
    node.node.children.forEach(visit);
  };
  visit(scope);
  return found;
}

/** Template JSON, read by path in the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON has no static type
export type Json = any;

/** A policy statement as the template has it. */
export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/** The statements of every inline policy attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources("AWS::IAM::Policy");
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** The logical id a construct's CloudFormation resource gets in its stack. */
export function logicalIdOf(stack: Stack, construct: IConstruct): string {
  const child = construct.node.defaultChild ?? construct;
  return stack.resolve((child as unknown as { logicalId: string }).logicalId) as string;
}

/** An action list, always as an array. */
export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** A resource list, always as an array. */
export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** A template value as text: `<Logical.Attr>` for GetAtt, `<Logical>` for Ref, `<Stack/Output>` for a stack output. */
export function render(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node["Fn::Join"])) {
      const [delimiter, parts] = node["Fn::Join"] as [string, unknown[]];
      return parts.map(render).join(delimiter);
    }
    if (Array.isArray(node["Fn::GetAtt"])) return `<${(node["Fn::GetAtt"] as string[]).join(".")}>`;
    if (typeof node.Ref === "string") return `<${node.Ref}>`;
    const output = node["Fn::GetStackOutput"] as { StackName?: string; OutputName?: string } | undefined;
    if (output) return `<${output.StackName}/${output.OutputName}>`;
  }
  return JSON.stringify(value);
}
