import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { parseDocument } from "yaml";
import { TrustDomain, validateAudience } from "#tessera/core";
import { assertJoinTokenShape } from "#tessera/contract";
import { validateRolesAnywhereArns } from "#tessera/aws-workload";
import { parseSelector } from "../attestation/index.js";
import { AWS_REGION_PATTERN, METADATA_ENDPOINT_PATTERN, STS_ENDPOINT_PATTERN } from "../join-proof.js";
import { AgentConfigError, Reader, type Obj } from "./config-reader.js";

/** The default configuration file. */
export const DEFAULT_CONFIG_PATH = "/etc/tessera/agent.yaml";
/** The default Workload API socket (never under /tmp). */
export const DEFAULT_SOCKET = "unix:///run/tessera/agent/public/api.sock";

/** An identity served over the Workload API to callers whose selectors match. */
export interface ApiIdentity {
  spiffeId: string;
  selectors: string[];
  hint?: string;
  dnsNames: string[];
  ttlSeconds?: number;
}

/** `type: workload-identity-api`. */
export interface WorkloadApiService {
  type: "workload-identity-api";
  /** Socket path (the `unix://` prefix removed). */
  socketPath: string;
  attestors: { unix: { sha256: boolean } };
  identities: ApiIdentity[];
}

/** What to run after a file output was written. */
export interface ReloadAction {
  cmd?: string;
  cmdArgs: string[];
  renewSignal?: NodeJS.Signals;
  pidFileName?: string;
}

/** `type: workload-identity-x509`: svid.pem, svid_key.pem, svid_bundle.pem in a directory. */
export interface X509FileService extends ReloadAction {
  type: "workload-identity-x509";
  spiffeId: string;
  destination: string;
  dnsNames: string[];
  ttlSeconds?: number;
  certFileName: string;
  keyFileName: string;
  bundleFileName: string;
}

/** `type: workload-identity-jwt`: a JWT-SVID and the JWT bundle in a directory. */
export interface JwtFileService extends ReloadAction {
  type: "workload-identity-jwt";
  spiffeId: string;
  audiences: string[];
  destination: string;
  ttlSeconds?: number;
  fileName: string;
  bundleFileName: string;
}

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

/** One configured service. */
export type AgentService = WorkloadApiService | X509FileService | JwtFileService | AwsRolesAnywhereService;

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

/** A validated agent configuration. */
export interface AgentConfig {
  issuer: string;
  trustDomain: TrustDomain;
  onboarding: AgentOnboarding;
  /** Where the bot credential is kept across restarts; undefined keeps it in memory only. */
  storageDirectory?: string;
  credentialTtlSeconds?: number;
  renewalIntervalSeconds?: number;
  /** How often the issuer's CRLs and JWT-SVID deny-list are polled; default one minute. */
  revocationIntervalSeconds?: number;
  oneshot: boolean;
  services: AgentService[];
}

/** Strip `unix://` or `unix:` from a socket address; a bare path is taken as is. */
export function socketPathOf(address: string): string {
  const path = address.startsWith("unix://") ? address.slice(7) : address.startsWith("unix:") ? address.slice(5) : address;
  if (!isAbsolute(path)) throw new AgentConfigError(`agent config: socket ${address} must be an absolute path`);
  return path;
}

const SIGNALS = new Set(["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGINT", "SIGQUIT"]);

function reloadActionOf(r: Reader): ReloadAction {
  const action: ReloadAction = { cmdArgs: r.strings("cmd_args") };
  const cmd = r.string("cmd");
  const signal = r.string("renew_signal");
  const pidFile = r.string("pid_file_name");
  if (cmd) action.cmd = cmd;
  if (signal) {
    if (!SIGNALS.has(signal)) r.fail("renew_signal", `must be one of ${[...SIGNALS].join(", ")}`);
    if (!pidFile) r.fail("pid_file_name", "is required with renew_signal");
    action.renewSignal = signal as NodeJS.Signals;
  }
  if (pidFile) action.pidFileName = pidFile;
  if (action.cmdArgs.length && !cmd) r.fail("cmd_args", "needs cmd");
  return action;
}

function audiencesOf(r: Reader): string[] {
  const audiences = r.strings("audiences", true);
  try {
    return validateAudience(audiences);
  } catch (err) {
    return r.fail("audiences", `break the audience rule (${(err as Error).message})`);
  }
}

function serviceOf(r: Reader, trustDomain: TrustDomain, baseDir: string): AgentService {
  const type = r.string("type", true);
  const ttl = r.duration("ttl");
  if (type === "workload-identity-api") {
    r.allow(["type", "listen", "attestors", "identities"]);
    const attestors = r.object("attestors");
    attestors?.allow(["unix"]);
    const unix = attestors?.object("unix");
    unix?.allow(["sha256"]);
    const identities = r.list("identities").map((i) => {
      i.allow(["spiffe_id", "selectors", "hint", "dns_names", "ttl"]);
      const selectors = i.strings("selectors", true);
      for (const s of selectors) {
        try {
          parseSelector(s);
        } catch (err) {
          i.fail("selectors", `has an invalid selector ${JSON.stringify(s)}: ${(err as Error).message}`);
        }
      }
      const identity: ApiIdentity = { spiffeId: i.spiffeId("spiffe_id", trustDomain), selectors, dnsNames: i.strings("dns_names") };
      const hint = i.string("hint");
      const idTtl = i.duration("ttl");
      if (hint) identity.hint = hint;
      if (idTtl) identity.ttlSeconds = idTtl;
      return identity;
    });
    if (identities.length === 0) r.fail("identities", "must list at least one identity");
    return {
      type,
      socketPath: socketPathOf(r.string("listen") ?? DEFAULT_SOCKET),
      attestors: { unix: { sha256: unix?.bool("sha256", true) ?? true } },
      identities,
    };
  }
  if (type === "workload-identity-x509") {
    r.allow([
      "type",
      "spiffe_id",
      "destination",
      "dns_names",
      "ttl",
      "cert_file_name",
      "key_file_name",
      "bundle_file_name",
      "cmd",
      "cmd_args",
      "renew_signal",
      "pid_file_name",
    ]);
    return {
      type,
      spiffeId: r.spiffeId("spiffe_id", trustDomain),
      destination: resolve(baseDir, r.string("destination", true) as string),
      dnsNames: r.strings("dns_names"),
      ...(ttl ? { ttlSeconds: ttl } : {}),
      certFileName: r.string("cert_file_name") ?? "svid.pem",
      keyFileName: r.string("key_file_name") ?? "svid_key.pem",
      bundleFileName: r.string("bundle_file_name") ?? "svid_bundle.pem",
      ...reloadActionOf(r),
    };
  }
  if (type === "workload-identity-jwt") {
    r.allow([
      "type",
      "spiffe_id",
      "audiences",
      "destination",
      "ttl",
      "file_name",
      "bundle_file_name",
      "cmd",
      "cmd_args",
      "renew_signal",
      "pid_file_name",
    ]);
    return {
      type,
      spiffeId: r.spiffeId("spiffe_id", trustDomain),
      audiences: audiencesOf(r),
      destination: resolve(baseDir, r.string("destination", true) as string),
      ...(ttl ? { ttlSeconds: ttl } : {}),
      fileName: r.string("file_name") ?? "jwt_svid.token",
      bundleFileName: r.string("bundle_file_name") ?? "jwt_bundle.json",
      ...reloadActionOf(r),
    };
  }
  if (type === "workload-identity-aws-roles-anywhere") return rolesAnywhereServiceOf(r, trustDomain, baseDir, ttl);
  return r.fail(
    "type",
    "must be workload-identity-api, workload-identity-x509, workload-identity-jwt or workload-identity-aws-roles-anywhere",
  );
}

const MIN_SESSION_SECONDS = 900;
const MAX_SESSION_SECONDS = 43_200;

function rolesAnywhereServiceOf(r: Reader, trustDomain: TrustDomain, baseDir: string, ttl: number | undefined): AwsRolesAnywhereService {
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

/**
 * `onboarding` for a platform join: `bot_name`, and `token_file` (the platform's token, read at each
 * join) or `metadata_endpoint`: IMDSv2 for `aws_ec2` (default EC2's), the GCE metadata server for a
 * `gcp` join without `token_file` (default Google's), asked for `token_audience` (default
 * `spiffe://<trust_domain>`, the issuer's default join audience).
 */
function platformOnboardingOf(onboarding: Reader, baseDir: string, trustDomain: TrustDomain): AgentConfig["onboarding"] {
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
function awsIamOnboardingOf(onboarding: Reader): AgentConfig["onboarding"] {
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

/** Parse and validate agent YAML (`version: v1`, snake_case, unknown keys refused). */
export function parseAgentConfig(text: string, options: { baseDir?: string } = {}): AgentConfig {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new AgentConfigError(`agent config: ${doc.errors[0]?.message ?? "invalid YAML"}`);
  const data = doc.toJS() as unknown;
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new AgentConfigError("agent config: must be a YAML mapping");
  const r = new Reader(data as Obj, "");
  r.allow([
    "version",
    "issuer",
    "trust_domain",
    "onboarding",
    "storage",
    "credential_ttl",
    "renewal_interval",
    "revocation_interval",
    "oneshot",
    "services",
  ]);
  if (r.string("version", true) !== "v1") r.fail("version", "must be v1");
  const issuer = r.string("issuer", true) as string;
  try {
    const url = new URL(issuer);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
  } catch {
    r.fail("issuer", "must be an http(s) URL");
  }
  let trustDomain: TrustDomain;
  try {
    trustDomain = TrustDomain.fromString(r.string("trust_domain", true) as string);
  } catch (err) {
    return r.fail("trust_domain", `is invalid: ${(err as Error).message}`);
  }
  const baseDir = options.baseDir ?? process.cwd();
  const onboarding = r.object("onboarding", true) as Reader;
  onboarding.allow(["join_method", "token", "bot_name", "token_file", "metadata_endpoint", "token_audience", "sts_region", "sts_endpoint"]);
  const joinMethod = onboarding.string("join_method", true);
  if (joinMethod !== "token" && joinMethod !== "oidc" && joinMethod !== "gcp" && joinMethod !== "aws_ec2" && joinMethod !== "aws_iam") {
    onboarding.fail("join_method", "must be token, oidc, gcp, aws_ec2 or aws_iam");
  }
  if (joinMethod !== "aws_iam")
    for (const key of ["sts_region", "sts_endpoint"])
      if (onboarding.string(key) !== undefined) onboarding.fail(key, "is for join_method aws_iam");
  const platform =
    joinMethod === "aws_iam"
      ? awsIamOnboardingOf(onboarding)
      : joinMethod !== "token"
        ? platformOnboardingOf(onboarding, baseDir, trustDomain)
        : undefined;
  const token = platform ? undefined : onboarding.string("token");
  const storage = r.object("storage");
  storage?.allow(["directory"]);
  const storageDir = storage?.string("directory", true);
  const services = r.list("services").map((s) => serviceOf(s, trustDomain, baseDir));
  if (services.length === 0) r.fail("services", "must list at least one service");
  const artifacts = new Set<string>();
  for (const s of services) {
    if (s.type !== "workload-identity-aws-roles-anywhere") continue;
    const path = resolve(s.destination, s.artifactName);
    if (artifacts.has(path))
      r.fail(
        "services",
        `write ${path} twice: give each workload-identity-aws-roles-anywhere service its own destination or artifact_name`,
      );
    artifacts.add(path);
  }
  const config: AgentConfig = {
    issuer,
    trustDomain,
    onboarding: platform ?? { joinMethod: "token" },
    oneshot: r.bool("oneshot", false),
    services,
  };
  if (token?.includes("/")) config.onboarding.tokenPath = resolve(baseDir, token);
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
    config.onboarding.token = token;
  }
  if (storageDir) config.storageDirectory = resolve(baseDir, storageDir);
  const ttl = r.duration("credential_ttl");
  const interval = r.duration("renewal_interval");
  if (ttl) config.credentialTtlSeconds = ttl;
  if (interval) config.renewalIntervalSeconds = interval;
  if (ttl && interval && interval >= ttl) r.fail("renewal_interval", "must be shorter than credential_ttl");
  const revocationInterval = r.duration("revocation_interval");
  if (revocationInterval) config.revocationIntervalSeconds = revocationInterval;
  return config;
}

/** Read and validate the configuration file at `path`. */
export async function loadAgentConfig(path: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new AgentConfigError(`agent config: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseAgentConfig(text, { baseDir: resolve(path, "..") });
}
