import { resolve } from "node:path";
import type { TrustDomain } from "#tessera/core";
import { assertJoinTokenShape } from "#tessera/contract";
import { AWS_REGION_PATTERN, METADATA_ENDPOINT_PATTERN, STS_ENDPOINT_PATTERN } from "../join-proof.js";
import type { Reader } from "./config-reader.js";

/** How the agent joins: the method and what it needs (see `BotSessionOptions.onboarding`). */
export interface AgentOnboarding {
  joinMethod: "token" | "oidc" | "gcp" | "aws_ec2" | "aws_iam";
  botName?: string;
  token?: string;
  tokenPath?: string;
  metadataEndpoint?: string;
  /** The audience of a `gcp` identity token asked of the metadata server. */
  tokenAudience?: string;
  stsRegion?: string;
  stsEndpoint?: string;
}

/**
 * `onboarding` for a platform join: `bot_name`, and `token_file` (the platform's token, read at each
 * join) or `metadata_endpoint`: IMDSv2 for `aws_ec2` (default EC2's), the GCE metadata server for a
 * `gcp` join without `token_file` (default Google's), asked for `token_audience` (default
 * `spiffe://<trust_domain>`, the issuer's default join audience).
 */
function platformOnboardingOf(onboarding: Reader, baseDir: string, trustDomain: TrustDomain): AgentOnboarding {
  const joinMethod = onboarding.string("join_method", true) as "oidc" | "gcp" | "aws_ec2";
  if (onboarding.string("token") !== undefined)
    onboarding.fail("token", `is for join_method token; ${joinMethod} ${joinMethod === "aws_ec2" ? "reads IMDSv2" : "reads token_file"}`);
  const botName = onboarding.string("bot_name", true) as string;
  const endpoint = onboarding.string("metadata_endpoint");
  const tokenFile = onboarding.string("token_file");
  const audience = onboarding.string("token_audience");
  if (endpoint !== undefined && !METADATA_ENDPOINT_PATTERN.test(endpoint))
    onboarding.fail("metadata_endpoint", "must be an http(s) origin such as http://169.254.169.254");
  if (audience !== undefined && joinMethod !== "gcp")
    onboarding.fail("token_audience", "is for join_method gcp (from the metadata server)");
  if (joinMethod === "aws_ec2") {
    if (tokenFile !== undefined) onboarding.fail("token_file", "is not read by aws_ec2, which reads IMDSv2");
    return { joinMethod, botName, ...(endpoint ? { metadataEndpoint: endpoint } : {}) };
  }
  if (joinMethod === "gcp" && tokenFile === undefined) {
    return { joinMethod, botName, tokenAudience: audience ?? trustDomain.idString(), ...(endpoint ? { metadataEndpoint: endpoint } : {}) };
  }
  if (endpoint !== undefined)
    onboarding.fail("metadata_endpoint", joinMethod === "gcp" ? "and token_file exclude each other" : "is for join_method aws_ec2 or gcp");
  if (audience !== undefined) onboarding.fail("token_audience", "is for the metadata server, not token_file");
  return { joinMethod, botName, tokenPath: resolve(baseDir, onboarding.string("token_file", true) as string) };
}

/** `onboarding` for an `aws_iam` join: `bot_name`, and optionally the STS to sign for (`sts_region`, or `sts_endpoint` for an emulator). */
function awsIamOnboardingOf(onboarding: Reader): AgentOnboarding {
  for (const key of ["token", "token_file"])
    if (onboarding.string(key) !== undefined)
      onboarding.fail(key, "is not for join_method aws_iam: the agent signs with its AWS credentials");
  const region = onboarding.string("sts_region");
  if (region && !AWS_REGION_PATTERN.test(region)) onboarding.fail("sts_region", "must be an AWS region such as eu-west-1");
  const endpoint = onboarding.string("sts_endpoint");
  if (endpoint && !STS_ENDPOINT_PATTERN.test(endpoint))
    onboarding.fail("sts_endpoint", "must be an http(s) URL with no path, such as http://127.0.0.1:5000");
  return {
    joinMethod: "aws_iam",
    botName: onboarding.string("bot_name", true) as string,
    ...(region ? { stsRegion: region } : {}),
    ...(endpoint ? { stsEndpoint: endpoint } : {}),
  };
}

/**
 * Read `onboarding`'s join method and, for a join other than `token`, what it needs; undefined for
 * `join_method: token`, whose `token` {@link readTokenOnboarding} checks.
 */
export function readOnboarding(onboarding: Reader, baseDir: string, trustDomain: TrustDomain): AgentOnboarding | undefined {
  onboarding.allow(["join_method", "token", "bot_name", "token_file", "metadata_endpoint", "token_audience", "sts_region", "sts_endpoint"]);
  const joinMethod = onboarding.string("join_method", true);
  if (joinMethod !== "token" && joinMethod !== "oidc" && joinMethod !== "gcp" && joinMethod !== "aws_ec2" && joinMethod !== "aws_iam") {
    onboarding.fail("join_method", "must be token, oidc, gcp, aws_ec2 or aws_iam");
  }
  if (joinMethod !== "aws_iam")
    for (const key of ["sts_region", "sts_endpoint"])
      if (onboarding.string(key) !== undefined) onboarding.fail(key, "is for join_method aws_iam");
  if (joinMethod === "aws_iam") return awsIamOnboardingOf(onboarding);
  return joinMethod === "token" ? undefined : platformOnboardingOf(onboarding, baseDir, trustDomain);
}

/** The onboarding of a `token` join: `token` is a join token, or a path (with a slash) to a file holding one. */
export function readTokenOnboarding(onboarding: Reader, token: string | undefined, baseDir: string): AgentOnboarding {
  const result: AgentOnboarding = { joinMethod: "token" };
  if (token?.includes("/")) result.tokenPath = resolve(baseDir, token);
  else if (token) {
    try {
      assertJoinTokenShape(token);
    } catch {
      // The value may be a real secret with a typo: never repeat it.
      onboarding.fail(
        "token",
        "is neither a join token (43 characters of A-Z, a-z, 0-9, _ and -) nor a file path (a path contains a slash)",
      );
    }
    result.token = token;
  }
  return result;
}
