// The ARNs of a Roles Anywhere session, checked apart from the client (create-session.ts) so that
// the agent's configuration can check them without loading the SigV4 signer.

const ARN = /^arn:[a-z-]+:rolesanywhere:([a-z0-9-]+):\d{12}:(trust-anchor|profile)\/[0-9a-f-]+$/;

function regionOf(arn: string, what: "trust-anchor" | "profile"): string {
  const m = ARN.exec(arn);
  if (!m || m[2] !== what) throw new TypeError(`aws: ${JSON.stringify(arn)} is not a Roles Anywhere ${what} ARN`);
  return m[1] as string;
}

/**
 * Check the three ARNs of a Roles Anywhere session (a trust anchor and a profile in one region, an
 * IAM role); returns that region. Throws a TypeError naming the bad ARN.
 */
export function validateRolesAnywhereArns(arns: { trustAnchorArn: string; profileArn: string; roleArn: string }): string {
  const region = regionOf(arns.trustAnchorArn, "trust-anchor");
  if (regionOf(arns.profileArn, "profile") !== region)
    throw new TypeError("aws: the trust anchor and the profile are in different regions");
  if (!/^arn:[a-z-]+:iam::\d{12}:role\/\S+$/.test(arns.roleArn))
    throw new TypeError(`aws: ${JSON.stringify(arns.roleArn)} is not an IAM role ARN`);
  return region;
}
