import type { JoinRule } from "../store/types.js";
import { validateAwsEc2Rule } from "./aws-ec2/aws-ec2-rule.js";
import { validateAwsIamRule } from "./aws-iam/aws-iam-rule.js";
import { validateGcpRule } from "./gcp/gcp-rule.js";
import { validateOidcJoinRule } from "./oidc/oidc-rule.js";
import type { JoinRuleValidator, KeyFetchPolicy, PlatformJoinMethod } from "./types.js";

/** The rule side of each platform join method (every `JoinVerifiers` is one too). */
export type JoinRuleValidators = Readonly<Record<PlatformJoinMethod, JoinRuleValidator>>;

/**
 * The join-rule checks of every platform join method, without their verifiers: what writing a bot
 * needs. The same checks the verifiers run (they call the same functions), but none of the proof
 * code, key caches or AWS Region certificates, so the admin function does not carry them.
 */
export function createJoinRuleValidators(policy: KeyFetchPolicy): JoinRuleValidators {
  const sync = (validate: (rule: JoinRule) => JoinRule): JoinRuleValidator => ({ validateRule: async (rule) => validate(rule) });
  return {
    oidc: { validateRule: (rule) => validateOidcJoinRule(rule, { allowHttpLoopback: policy.allowHttpLoopback }) },
    aws_iam: sync(validateAwsIamRule),
    gcp: sync(validateGcpRule),
    aws_ec2: sync(validateAwsEc2Rule),
  };
}
