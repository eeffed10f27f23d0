import type { JWTPayload } from "jose";
import type { OidcPreset } from "./presets.js";
import { attributeText, nestedClaim } from "./claim-values.js";

/** The claim under which AWS STS nests its own claims in a `GetWebIdentityToken` token. */
export const AWS_STS_NAMESPACE = "https://sts.amazonaws.com/";

/** The attributes the `aws_sts` preset adds (see `awsStsAttributes`). */
export const AWS_STS_ATTRIBUTES: readonly string[] = [
  "account",
  "principal_id",
  "role",
  "region",
  "org_id",
  "ou_path",
  "source_identity",
  "lambda_function_arn",
  "lambda_function",
  "ec2_instance_arn",
  "ec2_instance_id",
];

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,140})(?::[A-Za-z0-9$_-]+)?$/;
const EC2_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:instance\/(i-[0-9a-f]{8,17})$/;
const TAG_KEY = /^[A-Za-z0-9_.:-]{1,115}$/;

/**
 * The attributes of an AWS STS web identity token (`sts:GetWebIdentityToken`): from the
 * `https://sts.amazonaws.com/` claim, `account` (`aws_account`), `principal_id` (the requesting
 * principal's ARN, also when `sub` names an origin identity), `region` (`source_region`),
 * `org_id`, `ou_path`, `source_identity`, `lambda_function_arn` and `ec2_instance_arn` (the calling
 * Lambda function or EC2 instance), and parsed from ARNs: `role` (the role name of a role `sub`,
 * its path dropped), `lambda_function` (the function name) and `ec2_instance_id`.
 */
export function awsStsAttributes(payload: JWTPayload): Record<string, string> {
  const aws = payload[AWS_STS_NAMESPACE];
  const attributes: Record<string, string> = {};
  const put = (name: string, value: unknown) => {
    const text = attributeText(value);
    if (text !== undefined) attributes[name] = text;
  };
  put("account", nestedClaim(aws, "aws_account"));
  put("principal_id", nestedClaim(aws, "principal_id"));
  put("region", nestedClaim(aws, "source_region"));
  put("org_id", nestedClaim(aws, "org_id"));
  put("ou_path", nestedClaim(aws, "ou_path"));
  put("source_identity", nestedClaim(aws, "source_identity"));
  put("lambda_function_arn", nestedClaim(aws, "lambda_source_function_arn"));
  put("ec2_instance_arn", nestedClaim(aws, "ec2_source_instance_arn"));
  put("role", typeof payload.sub === "string" ? ROLE_ARN.exec(payload.sub)?.[1] : undefined);
  put("lambda_function", LAMBDA_ARN.exec(attributes.lambda_function_arn ?? "")?.[1]);
  put("ec2_instance_id", EC2_ARN.exec(attributes.ec2_instance_arn ?? "")?.[1]);
  return attributes;
}

/** Rule-only values of an AWS STS token: each principal tag as `principal_tag:<key>`. */
export function awsStsRuleValues(payload: JWTPayload): Record<string, string> {
  const tags = nestedClaim(payload[AWS_STS_NAMESPACE], "principal_tags");
  const values: Record<string, string> = {};
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) return values;
  for (const [key, value] of Object.entries(tags).slice(0, 50)) {
    const text = attributeText(value);
    if (TAG_KEY.test(key) && text !== undefined) values[`principal_tag:${key}`] = text;
  }
  return values;
}

/**
 * AWS STS web identity tokens (IAM outbound identity federation): the issuer is per account
 * (`https://<id>.tokens.sts.global.api.aws`, from `aws iam get-outbound-web-identity-federation-info`),
 * so it has no default; anyone in the account allowed `sts:GetWebIdentityToken` can mint one, so a
 * rule must name the principal or the compute it runs on. AWS signs RS256 or ES384.
 */
export const AWS_STS_PRESET: OidcPreset = {
  requiredClaims: [
    "sub",
    "principal_id",
    "role",
    "lambda_function_arn",
    "lambda_function",
    "ec2_instance_arn",
    "ec2_instance_id",
    "source_identity",
  ],
  algorithms: ["RS256", "ES384"],
  attributes: awsStsAttributes,
  ruleValues: awsStsRuleValues,
};
