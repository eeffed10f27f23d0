import type { CallOf, createBotRoute } from "#tessera/contract";
import { UsageError } from "../output.js";

/** One join rule of `POST /v1/admin/bots`, as the request schema types it: a method and its fields. */
type JoinRuleBody = NonNullable<CallOf<typeof createBotRoute>["body"]["join_rules"]>[number];
/** Fields of a join rule being assembled from flags. */
type RuleFields = Record<string, unknown>;

/** The `bot create` flags that describe join rules. */
export const JOIN_RULE_OPTIONS = {
  "join-method": { type: "string", multiple: true },
  "join-rules": { type: "string" },
  "oidc-preset": { type: "string" },
  "oidc-issuer": { type: "string" },
  "oidc-audience": { type: "string" },
  claim: { type: "string", multiple: true },
  "aws-account": { type: "string", multiple: true },
  "aws-region": { type: "string", multiple: true },
  "aws-arn": { type: "string", multiple: true },
  "max-join-age": { type: "string" },
  "allow-rejoin": { type: "boolean" },
} as const;

const AWS_EC2_FLAGS = ["aws-account", "aws-region", "max-join-age", "allow-rejoin"];
const AWS_FLAGS = [...AWS_EC2_FLAGS, "aws-arn"];

const one = (list: string[]) => (list.length === 1 ? (list[0] as string) : list);

/** The `aws_iam` rule's claims: `--claim` ones with `--aws-account` (as `account`) and `--aws-arn` (as `arn`). */
function awsIamFields(values: Record<string, unknown>, claims: Record<string, string | string[]>): RuleFields {
  const merged: Record<string, string | string[]> = { ...claims };
  if (values["aws-account"]) merged.account = one(values["aws-account"] as string[]);
  if (values["aws-arn"]) merged.arn = one(values["aws-arn"] as string[]);
  return Object.keys(merged).length ? { claims: merged } : {};
}

/** The `aws_ec2` rule's fields from `--aws-account`, `--aws-region` (claims) and `--max-join-age`, `--allow-rejoin`. */
function awsEc2Fields(values: Record<string, unknown>, claims: Record<string, string | string[]>): RuleFields {
  const merged: Record<string, string | string[]> = { ...claims };
  if (values["aws-account"]) merged.account = one(values["aws-account"] as string[]);
  if (values["aws-region"]) merged.region = one(values["aws-region"] as string[]);
  const rule: RuleFields = {};
  if (Object.keys(merged).length) rule.claims = merged;
  if (values["max-join-age"] !== undefined) rule.max_join_age = values["max-join-age"];
  if (values["allow-rejoin"]) rule.allow_rejoin = true;
  return rule;
}

function claimsOf(flags: string[]): Record<string, string | string[]> {
  const claims: Record<string, string[]> = {};
  for (const flag of flags) {
    const at = flag.indexOf("=");
    if (at <= 0) throw new UsageError(`tessera: --claim must be NAME=GLOB, got ${JSON.stringify(flag)}`);
    (claims[flag.slice(0, at)] ??= []).push(flag.slice(at + 1));
  }
  return Object.fromEntries(Object.entries(claims).map(([name, globs]) => [name, globs.length === 1 ? (globs[0] as string) : globs]));
}

/**
 * The `join_rules` of `tessera bot create`: `--join-rules JSON` as given, or one rule per
 * `--join-method` (default token), where `--claim NAME=GLOB` (repeatable) applies to the one
 * platform method, `--oidc-*` to oidc and `--aws-account`, `--aws-region`, `--max-join-age`,
 * `--allow-rejoin` to aws_ec2, `--aws-account` and `--aws-arn` to aws_iam. The issuer checks the
 * rules; this only assembles them.
 */
export function joinRulesFromFlags(values: Record<string, unknown>): JoinRuleBody[] {
  const methods = (values["join-method"] as string[] | undefined) ?? ["token"];
  const claims = claimsOf((values.claim as string[] | undefined) ?? []);
  if (values["join-rules"] !== undefined) {
    if (
      values["join-method"] ||
      Object.keys(claims).length ||
      values["oidc-issuer"] ||
      values["oidc-audience"] ||
      values["oidc-preset"] ||
      AWS_FLAGS.some((f) => values[f])
    ) {
      throw new UsageError("tessera: --join-rules replaces --join-method, --claim, --oidc-* and --aws-*; give one or the other");
    }
    let rules: unknown;
    try {
      rules = JSON.parse(values["join-rules"] as string);
    } catch {
      throw new UsageError("tessera: --join-rules must be a JSON array of rules");
    }
    if (!Array.isArray(rules)) throw new UsageError("tessera: --join-rules must be a JSON array of rules");
    // Sent as given: the issuer's request schema refuses a rule without a method, naming join_rules.
    return rules as JoinRuleBody[];
  }
  const platform = methods.filter((method) => method !== "token");
  const ec2 = methods.includes("aws_ec2");
  const iam = methods.includes("aws_iam");
  if (AWS_EC2_FLAGS.some((f) => f !== "aws-account" && values[f]) && !ec2)
    throw new UsageError("tessera: --aws-region, --max-join-age and --allow-rejoin are for --join-method aws_ec2");
  if (values["aws-arn"] && !iam) throw new UsageError("tessera: --aws-arn is for --join-method aws_iam");
  if (values["aws-account"] && !ec2 && !iam) throw new UsageError("tessera: --aws-account is for --join-method aws_ec2 or aws_iam");
  if (values["aws-account"] && ec2 && iam)
    throw new UsageError("tessera: --aws-account is ambiguous with both aws_ec2 and aws_iam; use --join-rules");
  if (platform.length > 1 && Object.keys(claims).length)
    throw new UsageError("tessera: --claim is ambiguous with several platform methods; use --join-rules");
  return methods.map((method) => {
    if (method === "token") return { method };
    const rule: JoinRuleBody = { method };
    if (method === "oidc") {
      if (values["oidc-preset"]) rule.preset = values["oidc-preset"];
      if (values["oidc-issuer"]) rule.issuer = values["oidc-issuer"];
      if (values["oidc-audience"]) rule.audience = values["oidc-audience"];
    }
    if (method === "aws_ec2") return { ...rule, ...awsEc2Fields(values, claims) };
    if (method === "aws_iam") return { ...rule, ...awsIamFields(values, claims) };
    if (Object.keys(claims).length) rule.claims = claims;
    return rule;
  });
}
