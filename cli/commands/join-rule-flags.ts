import { UsageError } from "../output.js";

type Json = Record<string, unknown>;

/** The `bot create` flags that describe join rules. */
export const JOIN_RULE_OPTIONS = {
  "join-method": { type: "string", multiple: true },
  "join-rules": { type: "string" },
  "oidc-preset": { type: "string" },
  "oidc-issuer": { type: "string" },
  "oidc-audience": { type: "string" },
  claim: { type: "string", multiple: true },
  "aws-account": { type: "string", multiple: true },
  "aws-arn": { type: "string", multiple: true },
} as const;

/** `--aws-account` and `--aws-arn` as `aws_iam` claim rules (`account`, `arn`), added to the `--claim` ones. */
function awsClaimsOf(values: Record<string, unknown>): Record<string, string[]> {
  const claims: Record<string, string[]> = {};
  for (const [flag, claim] of [["aws-account", "account"], ["aws-arn", "arn"]] as const) {
    const given = values[flag] as string[] | undefined;
    if (given?.length) claims[claim] = given;
  }
  return claims;
}

function mergeClaims(claims: Record<string, string | string[]>, extra: Record<string, string[]>): Record<string, string | string[]> {
  const merged: Record<string, string | string[]> = { ...claims };
  for (const [name, globs] of Object.entries(extra)) {
    const all = [...[merged[name] ?? []].flat(), ...globs];
    merged[name] = all.length === 1 ? (all[0] as string) : all;
  }
  return merged;
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
 * platform method, `--oidc-*` to oidc and `--aws-account` / `--aws-arn` (repeatable) to aws_iam.
 * The issuer checks the rules; this only assembles them.
 */
export function joinRulesFromFlags(values: Record<string, unknown>): Json[] {
  const methods = (values["join-method"] as string[] | undefined) ?? ["token"];
  const claims = claimsOf((values.claim as string[] | undefined) ?? []);
  const aws = awsClaimsOf(values);
  if (values["join-rules"] !== undefined) {
    if (values["join-method"] || Object.keys(claims).length || Object.keys(aws).length || values["oidc-issuer"] || values["oidc-audience"] || values["oidc-preset"]) {
      throw new UsageError("tessera: --join-rules replaces --join-method, --claim, --oidc-* and --aws-*; give one or the other");
    }
    let rules: unknown;
    try {
      rules = JSON.parse(values["join-rules"] as string);
    } catch {
      throw new UsageError("tessera: --join-rules must be a JSON array of rules");
    }
    if (!Array.isArray(rules)) throw new UsageError("tessera: --join-rules must be a JSON array of rules");
    return rules as Json[];
  }
  const platform = methods.filter((method) => method !== "token");
  if (platform.length > 1 && Object.keys(claims).length) throw new UsageError("tessera: --claim is ambiguous with several platform methods; use --join-rules");
  if (Object.keys(aws).length && !methods.includes("aws_iam")) throw new UsageError("tessera: --aws-account and --aws-arn need --join-method aws_iam");
  return methods.map((method) => {
    if (method === "token") return { method };
    const rule: Json = { method };
    if (method === "oidc") {
      if (values["oidc-preset"]) rule.preset = values["oidc-preset"];
      if (values["oidc-issuer"]) rule.issuer = values["oidc-issuer"];
      if (values["oidc-audience"]) rule.audience = values["oidc-audience"];
    }
    const ruleClaims = method === "aws_iam" ? mergeClaims(claims, aws) : claims;
    if (Object.keys(ruleClaims).length) rule.claims = ruleClaims;
    return rule;
  });
}
