import { readRegionCertificatesFile } from "../attestation/aws-ec2/region-certificates.js";
import { ConfigError } from "../errors.js";
import { KEY_SPECS, type KeySpec } from "../keymanager/types.js";
import { parseIssuerUrl } from "../oidcdiscovery/issuer-url.js";
import { checkRotationSchedule } from "../rotation/check-rotation-schedule.js";
import { ACTIVATE_DIVISOR, DEFAULT_WARN_FRACTION } from "../rotation/thresholds.js";
import { DEFAULT_AUDIT_RETENTION_DAYS } from "../store/record-rules.js";
import { TrustDomain } from "../spiffeid/index.js";
import { parseDurationSeconds } from "./parse-duration.js";

function joinConfig(env: Env, trustDomain: TrustDomain): TesseraConfig["join"] {
  const loopback = env.TESSERA_JOIN_ALLOW_HTTP_LOOPBACK ?? "false";
  if (loopback !== "true" && loopback !== "false") throw new ConfigError("config: TESSERA_JOIN_ALLOW_HTTP_LOOPBACK must be true or false");
  const awsEc2File = env.TESSERA_AWS_EC2_CERTIFICATES_FILE?.trim();
  return {
    audience: env.TESSERA_JOIN_AUDIENCE || `spiffe://${trustDomain.name}`,
    gcpKeysUrl: env.TESSERA_GCP_KEYS_URL || "https://www.googleapis.com/oauth2/v3/certs",
    allowHttpLoopback: loopback === "true",
    ...stsEndpoint(env),
    ...(awsEc2File ? { awsEc2Certificates: readRegionCertificatesFile(awsEc2File, "TESSERA_AWS_EC2_CERTIFICATES_FILE") } : {}),
  };
}

/** `TESSERA_STS_ENDPOINT`: one more STS endpoint `aws_iam` proofs may be sent to (an emulator), as `scheme://host[:port]/`. */
function stsEndpoint(env: Env): { stsEndpoint?: string } {
  const raw = env.TESSERA_STS_ENDPOINT?.trim();
  if (!raw) return {};
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (
    !url ||
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.username ||
    url.password ||
    url.pathname !== "/" ||
    url.search ||
    url.hash
  ) {
    throw new ConfigError(
      "config: TESSERA_STS_ENDPOINT must be an http(s) URL with no path, query or credentials, such as http://127.0.0.1:5000",
    );
  }
  return { stsEndpoint: `${url.protocol}//${url.host}/` };
}

/** Tessera's configuration, as every entry point (Lambda, dev server) uses it. */
export interface TesseraConfig {
  trustDomain: TrustDomain;
  store: { kind: "dynamodb"; tableName: string } | { kind: "embedded"; directory: string };
  /** How long either store keeps audit events (`TESSERA_AUDIT_RETENTION_DAYS`, default 365). */
  auditRetentionDays: number;
  keyManager: { kind: "kms"; aliasPrefix: string } | { kind: "disk"; directory: string };
  keySpec: KeySpec;
  credentialTtlSeconds: number;
  x509SvidTtlSeconds: number;
  x509SvidMaxTtlSeconds: number;
  jwtSvidTtlSeconds: number;
  jwtSvidMaxTtlSeconds: number;
  /**
   * Whether JWT-SVIDs are issued (`TESSERA_JWT_SVIDS`, default true). When false, none is issued, no JWT
   * key is made, and a JWT key left from before leaves the bundle once its last JWT-SVID has expired.
   */
  jwtSvids: boolean;
  caTtlSeconds: number;
  jwtKeyTtlSeconds: number;
  bundleRefreshHintSeconds: number;
  backdateSeconds: number;
  /** Status and rotation ticks warn once the active CA or JWT key has lived this fraction of its life. */
  caWarnFraction: number;
  /** S3 bucket that receives bundle.json and bundle.pem, when publishing. */
  bundleBucket?: string;
  /** IAM Roles Anywhere trust anchor kept in step with the CA, when set. */
  trustAnchorId?: string;
  /** OIDC issuer URL (`TESSERA_ISSUER_URL`): the `iss` of every JWT-SVID and the base of the discovery document; unset means neither. */
  issuerUrl?: string;
  logLevel: string;
  /** Endpoints of the AWS services, from AWS_ENDPOINT_URL_<SERVICE> then AWS_ENDPOINT_URL (emulators); unset means AWS's own. */
  awsEndpoints: AwsEndpoints;
  /**
   * Platform joins: the audience fixed-audience tokens (gcp) must carry, where Google's keys are, whether `http://`
   * loopback issuers are allowed (tests only), and AWS instance identity certificates (Region to PEM) added to or
   * replacing the shipped ones (aws_ec2, from the JSON file TESSERA_AWS_EC2_CERTIFICATES_FILE),
   * and an extra STS endpoint for `aws_iam` (TESSERA_STS_ENDPOINT: emulators).
   */
  join: {
    audience: string;
    gcpKeysUrl: string;
    allowHttpLoopback: boolean;
    awsEc2Certificates?: Record<string, string>;
    stsEndpoint?: string;
  };
}

/** An endpoint per AWS service Tessera calls; each falls back to AWS_ENDPOINT_URL when its own variable is unset. */
export interface AwsEndpoints {
  kms?: string;
  dynamodb?: string;
  s3?: string;
  rolesanywhere?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The value each optional variable takes when it is not set; the CDK app deploys the same defaults. */
export const CONFIG_DEFAULTS = {
  TESSERA_KEY_SPEC: "ECC_NIST_P256",
  TESSERA_CREDENTIAL_TTL: "1h",
  TESSERA_X509_SVID_TTL: "1h",
  TESSERA_X509_SVID_MAX_TTL: "24h",
  TESSERA_JWT_SVID_TTL: "5m",
  TESSERA_JWT_SVID_MAX_TTL: "1h",
  TESSERA_CA_TTL: "30d",
  TESSERA_JWT_KEY_TTL: "30d",
  TESSERA_BUNDLE_REFRESH_HINT: "5m",
  TESSERA_BACKDATE: "30s",
  TESSERA_LOG_LEVEL: "INFO",
} as const;

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") throw new ConfigError(`config: ${name} is not set`);
  return value.trim();
}

function duration(env: Env, name: keyof typeof CONFIG_DEFAULTS): number {
  return parseDurationSeconds(env[name] ?? CONFIG_DEFAULTS[name], name);
}

/** The default KMS alias prefix of a trust domain: `alias/tessera/<td with dots as dashes>/`. */
export function defaultAliasPrefix(trustDomain: TrustDomain): string {
  return `alias/tessera/${trustDomain.name.replace(/[^a-zA-Z0-9_-]/g, "-")}/`;
}

function awsEndpoints(env: Env): AwsEndpoints {
  const endpoints: AwsEndpoints = {};
  for (const service of ["kms", "dynamodb", "s3", "rolesanywhere"] as const) {
    const name = `AWS_ENDPOINT_URL_${service.toUpperCase()}`;
    const value = env[name]?.trim() || env.AWS_ENDPOINT_URL?.trim();
    if (!value) continue;
    if (!URL.canParse(value)) throw new ConfigError(`config: ${env[name]?.trim() ? name : "AWS_ENDPOINT_URL"} is not a URL`);
    endpoints[service] = value;
  }
  return endpoints;
}

function jwtSvids(env: Env): boolean {
  const raw = env.TESSERA_JWT_SVIDS?.trim() || "true";
  if (raw !== "true" && raw !== "false") throw new ConfigError("config: TESSERA_JWT_SVIDS must be true or false");
  return raw === "true";
}

function warnFraction(env: Env): number {
  const raw = env.TESSERA_CA_WARN_FRACTION?.trim();
  if (raw === undefined || raw === "") return DEFAULT_WARN_FRACTION;
  const value = /^0?\.[0-9]+$/.test(raw) ? Number(raw) : NaN;
  // Rotation activates the next key at 1 - 1/ACTIVATE_DIVISOR of the active key's life: warning earlier would warn every cycle.
  if (!(value > 1 - 1 / ACTIVATE_DIVISOR && value < 1)) {
    throw new ConfigError(
      `config: TESSERA_CA_WARN_FRACTION must be a decimal above ${(1 - 1 / ACTIVATE_DIVISOR).toFixed(4)} and below 1, such as 0.9`,
    );
  }
  return value;
}

function retentionDays(env: Env): number {
  const raw = env.TESSERA_AUDIT_RETENTION_DAYS?.trim();
  if (raw === undefined || raw === "") return DEFAULT_AUDIT_RETENTION_DAYS;
  if (!/^[1-9][0-9]{0,5}$/.test(raw))
    throw new ConfigError("config: TESSERA_AUDIT_RETENTION_DAYS must be a whole number of days from 1, such as 90");
  return Number(raw);
}

function checkSchedules(config: TesseraConfig): void {
  const common = { skewSeconds: config.backdateSeconds, refreshHintSeconds: config.bundleRefreshHintSeconds };
  checkRotationSchedule({
    ...common,
    keyTtl: { name: "TESSERA_CA_TTL", seconds: config.caTtlSeconds },
    maxSvidTtl: { name: "TESSERA_X509_SVID_MAX_TTL", seconds: config.x509SvidMaxTtlSeconds },
  });
  checkRotationSchedule({
    ...common,
    keyTtl: { name: "TESSERA_JWT_KEY_TTL", seconds: config.jwtKeyTtlSeconds },
    maxSvidTtl: { name: "TESSERA_JWT_SVID_MAX_TTL", seconds: config.jwtSvidMaxTtlSeconds },
  });
}

/** Read and check the configuration from the environment; fails naming the variable at fault. */
export function loadConfig(env: Env): TesseraConfig {
  let trustDomain: TrustDomain;
  try {
    trustDomain = TrustDomain.fromString(required(env, "TESSERA_TRUST_DOMAIN"));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`config: TESSERA_TRUST_DOMAIN is not a valid trust domain`, { cause: err });
  }
  const storeKind = env.TESSERA_STORE ?? "dynamodb";
  const keyKind = env.TESSERA_KEY_MANAGER ?? "kms";
  if (storeKind !== "dynamodb" && storeKind !== "embedded") throw new ConfigError("config: TESSERA_STORE must be dynamodb or embedded");
  if (keyKind !== "kms" && keyKind !== "disk") throw new ConfigError("config: TESSERA_KEY_MANAGER must be kms or disk");
  const keySpec = (env.TESSERA_KEY_SPEC ?? CONFIG_DEFAULTS.TESSERA_KEY_SPEC) as KeySpec;
  if (!KEY_SPECS.includes(keySpec)) throw new ConfigError(`config: TESSERA_KEY_SPEC must be one of ${KEY_SPECS.join(", ")}`);
  const config: TesseraConfig = {
    trustDomain,
    store:
      storeKind === "dynamodb"
        ? { kind: "dynamodb", tableName: required(env, "TESSERA_TABLE_NAME") }
        : { kind: "embedded", directory: required(env, "TESSERA_DATA_DIR") },
    auditRetentionDays: retentionDays(env),
    keyManager:
      keyKind === "kms"
        ? { kind: "kms", aliasPrefix: env.TESSERA_KMS_ALIAS_PREFIX ?? defaultAliasPrefix(trustDomain) }
        : { kind: "disk", directory: `${required(env, "TESSERA_DATA_DIR")}/keys` },
    keySpec,
    credentialTtlSeconds: duration(env, "TESSERA_CREDENTIAL_TTL"),
    x509SvidTtlSeconds: duration(env, "TESSERA_X509_SVID_TTL"),
    x509SvidMaxTtlSeconds: duration(env, "TESSERA_X509_SVID_MAX_TTL"),
    jwtSvidTtlSeconds: duration(env, "TESSERA_JWT_SVID_TTL"),
    jwtSvidMaxTtlSeconds: duration(env, "TESSERA_JWT_SVID_MAX_TTL"),
    jwtSvids: jwtSvids(env),
    caTtlSeconds: duration(env, "TESSERA_CA_TTL"),
    jwtKeyTtlSeconds: duration(env, "TESSERA_JWT_KEY_TTL"),
    bundleRefreshHintSeconds: duration(env, "TESSERA_BUNDLE_REFRESH_HINT"),
    backdateSeconds: duration(env, "TESSERA_BACKDATE"),
    caWarnFraction: warnFraction(env),
    logLevel: env.TESSERA_LOG_LEVEL ?? CONFIG_DEFAULTS.TESSERA_LOG_LEVEL,
    awsEndpoints: awsEndpoints(env),
    join: joinConfig(env, trustDomain),
  };
  if (env.TESSERA_BUNDLE_BUCKET) config.bundleBucket = env.TESSERA_BUNDLE_BUCKET;
  if (env.TESSERA_TRUST_ANCHOR_ID) config.trustAnchorId = env.TESSERA_TRUST_ANCHOR_ID;
  if (env.TESSERA_ISSUER_URL?.trim()) config.issuerUrl = parseIssuerUrl(env.TESSERA_ISSUER_URL.trim(), "TESSERA_ISSUER_URL");
  if (config.x509SvidTtlSeconds > config.x509SvidMaxTtlSeconds) {
    throw new ConfigError("config: TESSERA_X509_SVID_TTL is above TESSERA_X509_SVID_MAX_TTL");
  }
  if (config.jwtSvidTtlSeconds > config.jwtSvidMaxTtlSeconds) {
    throw new ConfigError("config: TESSERA_JWT_SVID_TTL is above TESSERA_JWT_SVID_MAX_TTL");
  }
  checkSchedules(config);
  return config;
}
