import { PolicyInvalidError } from "../../errors.js";
import type { JoinRule } from "../../store/types.js";
import { validateClaimRules, type ClaimRules } from "../claim-rules.js";

/** The attributes an `aws_ec2` join establishes, for rules and templates. */
export const AWS_EC2_ATTRIBUTES: readonly string[] = [
  "account",
  "region",
  "instance_id",
  "ami_id",
  "instance_type",
  "availability_zone",
  "architecture",
];

/**
 * How long after `pendingTime` a document joins unless the rule says otherwise, seconds: Teleport's
 * default for its EC2 method (`aws_iid_ttl`, 5 minutes). An agent started at boot joins within a
 * minute or two; a document copied off the machine later is worth nothing.
 */
export const DEFAULT_MAX_JOIN_AGE_SECONDS = 300;
/** The longest `max_join_age` a rule may set, seconds; also how long a launch's join is remembered. */
export const MAX_JOIN_AGE_LIMIT_SECONDS = 86_400;

const KNOWN_FIELDS = new Set(["method", "claims", "max_join_age", "allow_rejoin"]);
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const ACCOUNT = /^[0-9]{12}$/;

/** An `aws_ec2` join rule, normalised. */
export interface AwsEc2Rule extends JoinRule {
  method: "aws_ec2";
  /** Globs over the attributes; `account` is required and exact. */
  claims: ClaimRules;
  /** Seconds after the document's `pendingTime` during which it joins. */
  max_join_age: number;
  /** Let one launch of an instance join more than once (off: trust on first use). */
  allow_rejoin: boolean;
}

function fail(why: string): never {
  throw new PolicyInvalidError(`attestation: aws_ec2 rule ${why}`);
}

function maxJoinAgeOf(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_JOIN_AGE_SECONDS;
  let seconds = typeof value === "number" ? value : NaN;
  const match = typeof value === "string" ? /^([1-9][0-9]{0,5})([smh]?)$/.exec(value) : null;
  if (match) seconds = Number(match[1]) * (UNITS[match[2] || "s"] as number);
  if (!Number.isSafeInteger(seconds) || seconds < 60 || seconds > MAX_JOIN_AGE_LIMIT_SECONDS) {
    fail(`max_join_age must be 60 s to ${MAX_JOIN_AGE_LIMIT_SECONDS / 3600} h (seconds, or a duration such as 10m)`);
  }
  return seconds;
}

/** Check and normalise an `aws_ec2` join rule: `PolicyInvalidError` for anything an admin got wrong. */
export function validateAwsEc2Rule(rule: JoinRule): AwsEc2Rule {
  for (const field of Object.keys(rule)) if (!KNOWN_FIELDS.has(field)) fail(`has an unknown field ${JSON.stringify(field.slice(0, 64))}`);
  const claims = validateClaimRules(rule.claims, "attestation: aws_ec2 rule", ["account"]);
  for (const name of Object.keys(claims)) {
    if (!AWS_EC2_ATTRIBUTES.includes(name)) fail(`claims may name ${AWS_EC2_ATTRIBUTES.join(", ")}`);
  }
  if (!claims.account?.every((account) => ACCOUNT.test(account))) fail("claims.account must list exact 12-digit AWS account ids");
  if (rule.allow_rejoin !== undefined && typeof rule.allow_rejoin !== "boolean") fail("allow_rejoin must be true or false");
  return { method: "aws_ec2", claims, max_join_age: maxJoinAgeOf(rule.max_join_age), allow_rejoin: rule.allow_rejoin === true };
}
