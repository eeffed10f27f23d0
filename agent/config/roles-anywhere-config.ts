import { resolve } from "node:path";
import type { TrustDomain } from "#tessera/core";
import { validateRolesAnywhereArns } from "#tessera/aws-workload";
import { AWS_REGION_PATTERN } from "../join-proof.js";
import type { Reader } from "./config-reader.js";

/**
 * `type: workload-identity-aws-roles-anywhere` (tbot's name): AWS credentials from IAM Roles Anywhere
 * for an X.509-SVID, written as a shared-credentials profile (and its credential_process JSON).
 */
export interface AwsRolesAnywhereService {
  type: "workload-identity-aws-roles-anywhere";
  spiffeId: string;
  /** The X.509-SVID's TTL asked of the issuer. */
  ttlSeconds?: number;
  trustAnchorArn: string;
  profileArn: string;
  roleArn: string;
  /** Default: the trust anchor's region. */
  region?: string;
  /** Default `https://rolesanywhere.<region>.amazonaws.com`. */
  endpoint?: string;
  sessionDurationSeconds: number;
  /** Default: about half the session's life. */
  sessionRenewalIntervalSeconds?: number;
  destination: string;
  credentialProfileName: string;
  artifactName: string;
  /** Serve the credentials in the container-credentials shape on this loopback `host:port`. */
  containerCredentialsListen?: string;
}

const MIN_SESSION_SECONDS = 900;
const MAX_SESSION_SECONDS = 43_200;

/** Read a `workload-identity-aws-roles-anywhere` service (`ttl` already read by the caller). */
export function readRolesAnywhereService(
  r: Reader,
  trustDomain: TrustDomain,
  baseDir: string,
  ttl: number | undefined,
): AwsRolesAnywhereService {
  r.allow([
    "type",
    "spiffe_id",
    "ttl",
    "trust_anchor_arn",
    "profile_arn",
    "role_arn",
    "region",
    "endpoint",
    "session_duration",
    "session_renewal_interval",
    "destination",
    "credential_profile_name",
    "artifact_name",
    "container_credentials",
  ]);
  const arns = {
    trustAnchorArn: r.string("trust_anchor_arn", true) as string,
    profileArn: r.string("profile_arn", true) as string,
    roleArn: r.string("role_arn", true) as string,
  };
  try {
    validateRolesAnywhereArns(arns);
  } catch (err) {
    r.fail("trust_anchor_arn / profile_arn / role_arn", `are not valid: ${(err as Error).message}`);
  }
  const region = r.string("region");
  if (region && !AWS_REGION_PATTERN.test(region)) r.fail("region", "must be an AWS region such as eu-west-1");
  const endpoint = r.string("endpoint");
  if (endpoint && !/^https?:\/\/[^/]+\/?$/.test(endpoint))
    r.fail("endpoint", "must be an http(s) URL with no path, such as https://rolesanywhere.eu-west-1.amazonaws.com");
  const duration = r.duration("session_duration") ?? 3600;
  if (duration < MIN_SESSION_SECONDS || duration > MAX_SESSION_SECONDS)
    r.fail("session_duration", "must be between 15m and 12h (Roles Anywhere's limits)");
  const renewal = r.duration("session_renewal_interval");
  if (renewal !== undefined && renewal >= duration) r.fail("session_renewal_interval", "must be shorter than session_duration");
  const profile = r.string("credential_profile_name") ?? "default";
  if (!/^[A-Za-z0-9_.+@-]+$/.test(profile)) r.fail("credential_profile_name", "may hold only letters, digits and _ . + @ -");
  const artifact = r.string("artifact_name") ?? "credentials";
  if (!/^[A-Za-z0-9_.-]+$/.test(artifact) || artifact.startsWith(".")) r.fail("artifact_name", "must be a plain file name");
  const container = r.object("container_credentials");
  container?.allow(["listen"]);
  const listen = container?.string("listen", true);
  if (listen && !/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]):\d{1,5}$/.test(listen))
    container?.fail("listen", "must be a loopback address and port, such as 127.0.0.1:9911");
  return {
    type: "workload-identity-aws-roles-anywhere",
    spiffeId: r.spiffeId("spiffe_id", trustDomain),
    ...(ttl ? { ttlSeconds: ttl } : {}),
    ...arns,
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint: endpoint.replace(/\/$/, "") } : {}),
    sessionDurationSeconds: duration,
    ...(renewal ? { sessionRenewalIntervalSeconds: renewal } : {}),
    destination: resolve(baseDir, r.string("destination", true) as string),
    credentialProfileName: profile,
    artifactName: artifact,
    ...(listen ? { containerCredentialsListen: listen } : {}),
  };
}
