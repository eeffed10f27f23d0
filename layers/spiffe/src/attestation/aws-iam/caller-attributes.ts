import { StsUnavailableError } from "../../errors.js";
import type { CallerIdentity } from "./call-sts.js";

/**
 * The attributes an `aws_iam` join establishes. `arn`, `role_arn` and `user_id` (`AROA...:session`)
 * hold `:` or `/`, so they serve rules, never template segments.
 */
export const AWS_IAM_ATTRIBUTES: readonly string[] = [
  "account",
  "arn",
  "user_id",
  "principal_type",
  "role",
  "role_arn",
  "session_name",
  "user_name",
];

const ARN = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$/;

/**
 * The attributes of a caller: its account, ARN and user id, the kind of principal, and for an
 * assumed role the role's name, its IAM ARN (`arn:aws:iam::<account>:role/<name>`: STS drops the
 * role's path) and the session name; for an IAM or federated user, the user's name.
 */
export function callerAttributesOf(identity: CallerIdentity): Record<string, string> {
  const match = ARN.exec(identity.arn);
  if (!match || match[3] !== identity.account)
    throw new StsUnavailableError("attestation: STS answered an ARN that is not of the caller's account");
  const [, partition, service, account, resource] = match as unknown as [string, string, string, string, string];
  const parts = resource.split("/");
  const attributes: Record<string, string> = { account, arn: identity.arn, user_id: identity.userId, principal_type: parts[0] as string };
  if (service === "sts" && parts[0] === "assumed-role" && parts.length === 3) {
    attributes.role = parts[1] as string;
    attributes.role_arn = `arn:${partition}:iam::${account}:role/${parts[1]}`;
    attributes.session_name = parts[2] as string;
  } else if ((service === "iam" && parts[0] === "user") || (service === "sts" && parts[0] === "federated-user")) {
    attributes.user_name = parts[parts.length - 1] as string;
  }
  return attributes;
}
