import { PolicyInvalidError } from "../../errors.js";
import type { JoinRule } from "../../store/types.js";
import { validateClaimsOnlyRule, type ClaimRules } from "../claim-rules.js";
import { AWS_IAM_ATTRIBUTES } from "./caller-attributes.js";

/** An `aws_iam` join rule, normalised: claim rules over the caller's attributes, `account` among them. */
export interface AwsIamRule extends JoinRule {
  method: "aws_iam";
  claims: ClaimRules;
}

/** Check and normalise an `aws_iam` join rule: only `claims`, naming caller attributes, with 12-digit accounts. */
export function validateAwsIamRule(rule: JoinRule): AwsIamRule {
  const claims = validateClaimsOnlyRule(rule, AWS_IAM_ATTRIBUTES, ["account"]);
  if (claims.account === undefined || !claims.account.every((account) => /^\d{12}$/.test(account))) {
    throw new PolicyInvalidError("attestation: aws_iam rule needs account: one or more 12-digit AWS account ids");
  }
  return { method: "aws_iam", claims };
}
