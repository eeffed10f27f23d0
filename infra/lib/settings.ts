import type { Node } from "constructs";
import { parseDurationSeconds, SpiffeId, TrustDomain } from "#tessera/core";
import { assertBotName, CONFIG_DEFAULTS, DEFAULT_WARN_FRACTION, defaultAliasPrefix, loadConfig } from "#tessera/issuer";

/** Everything a deployment can configure, from CDK context (`cdk.json` or `-c key=value`). */
export interface TesseraSettings {
  /** Prefix of the stack names: `<prefix>Stateful`, `<prefix>Issuer`. */
  stackPrefix: string;
  trustDomain: string;
  /** Alias prefix of Tessera's KMS keys; access to the keys is scoped by it. */
  kmsAliasPrefix: string;
  keySpec: string;
  credentialTtl: string;
  x509SvidTtl: string;
  x509SvidMaxTtl: string;
  jwtSvidTtl: string;
  jwtSvidMaxTtl: string;
  /** Whether JWT-SVIDs are issued (`TESSERA_JWT_SVIDS`); false makes and keeps no JWT key. */
  jwtSvids: boolean;
  caTtl: string;
  jwtKeyTtl: string;
  bundleRefreshHint: string;
  /** Status and rotation ticks warn once the active CA or JWT key has lived this fraction of its life (`TESSERA_CA_WARN_FRACTION`). */
  caWarnFraction: string;
  /**
   * OIDC issuer URL of JWT-SVIDs (`iss`, discovery document) when it is neither the API's own URL nor
   * the custom domain: e.g. a CloudFront distribution in front of the bundle bucket.
   */
  issuerUrl?: string;
  /** How often the rotate function runs, in whole minutes. */
  rotateEveryMinutes: number;
  /** Whether `bundle.json` and `bundle.pem` in the bucket are world-readable. */
  publicBundles: boolean;
  logRetentionDays: number;
  logLevel: string;
  /** Whether to create the IAM Roles Anywhere trust anchor, profile and example role. */
  rolesAnywhere: boolean;
  trustAnchorName: string;
  /** What deleting the stack does to the trust anchor. */
  trustAnchorRemovalPolicy: "retain" | "destroy";
  /** The SPIFFE ID the example Roles Anywhere role trusts. */
  exampleSpiffeId: string;
  apiThrottle: { rateLimit: number; burstLimit: number };
  customDomain?: { domainName: string; certificateArn: string; hostedZoneId?: string; hostedZoneName?: string };
  /** The example Lambda function that gets SVIDs with no agent (`agentlessExample=true`); absent by default. */
  agentlessExample?: { botName: string; spiffeId: string };
}

/** Context key of every setting, with the environment variable of the functions it feeds. */
const CONFIG_VARIABLES = {
  trustDomain: "TESSERA_TRUST_DOMAIN",
  keySpec: "TESSERA_KEY_SPEC",
  credentialTtl: "TESSERA_CREDENTIAL_TTL",
  x509SvidTtl: "TESSERA_X509_SVID_TTL",
  x509SvidMaxTtl: "TESSERA_X509_SVID_MAX_TTL",
  jwtSvidTtl: "TESSERA_JWT_SVID_TTL",
  jwtSvidMaxTtl: "TESSERA_JWT_SVID_MAX_TTL",
  jwtSvids: "TESSERA_JWT_SVIDS",
  caTtl: "TESSERA_CA_TTL",
  jwtKeyTtl: "TESSERA_JWT_KEY_TTL",
  bundleRefreshHint: "TESSERA_BUNDLE_REFRESH_HINT",
  caWarnFraction: "TESSERA_CA_WARN_FRACTION",
  logLevel: "TESSERA_LOG_LEVEL",
} as const satisfies Partial<Record<keyof TesseraSettings, string>>;

// The issuer's own defaults come from loadConfig's, so a deployment and `tessera dev` agree.
const DEFAULTS = {
  stackPrefix: "Tessera",
  keySpec: CONFIG_DEFAULTS.TESSERA_KEY_SPEC,
  credentialTtl: CONFIG_DEFAULTS.TESSERA_CREDENTIAL_TTL,
  x509SvidTtl: CONFIG_DEFAULTS.TESSERA_X509_SVID_TTL,
  x509SvidMaxTtl: CONFIG_DEFAULTS.TESSERA_X509_SVID_MAX_TTL,
  jwtSvidTtl: CONFIG_DEFAULTS.TESSERA_JWT_SVID_TTL,
  jwtSvidMaxTtl: CONFIG_DEFAULTS.TESSERA_JWT_SVID_MAX_TTL,
  caTtl: CONFIG_DEFAULTS.TESSERA_CA_TTL,
  jwtKeyTtl: CONFIG_DEFAULTS.TESSERA_JWT_KEY_TTL,
  bundleRefreshHint: CONFIG_DEFAULTS.TESSERA_BUNDLE_REFRESH_HINT,
  caWarnFraction: String(DEFAULT_WARN_FRACTION),
  rotateEvery: "10m",
  logRetentionDays: "90",
  logLevel: CONFIG_DEFAULTS.TESSERA_LOG_LEVEL,
  trustAnchorRemovalPolicy: "retain",
  apiRateLimit: "50",
  apiBurstLimit: "100",
};

const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function fail(key: string, rule: string): never {
  throw new Error(`infra: context ${key} ${rule}`);
}

function text(node: Node, key: string, fallback?: string): string {
  const value = node.tryGetContext(key) as unknown;
  if (value === undefined || value === null || value === "") {
    if (fallback === undefined) fail(key, "is not set (cdk.json context or -c key=value)");
    return fallback;
  }
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") fail(key, "must be a string");
  return String(value).trim();
}

function optional(node: Node, key: string): string | undefined {
  const value = node.tryGetContext(key) as unknown;
  return value === undefined || value === null || value === "" ? undefined : text(node, key);
}

function flag(node: Node, key: string, fallback = false): boolean {
  const value = text(node, key, String(fallback)).toLowerCase();
  if (value !== "true" && value !== "false") fail(key, "must be true or false");
  return value === "true";
}

function positiveInteger(node: Node, key: string, fallback: string): number {
  const value = Number(text(node, key, fallback));
  if (!Number.isSafeInteger(value) || value < 1) fail(key, "must be a positive integer");
  return value;
}

function trustDomainOf(node: Node): string {
  const name = text(node, "trustDomain");
  try {
    return TrustDomain.fromString(name).name;
  } catch (err) {
    throw new Error(`infra: context trustDomain ${JSON.stringify(name)} is not a valid SPIFFE trust domain`, { cause: err });
  }
}

function rotateMinutes(node: Node): number {
  const value = text(node, "rotateEvery", DEFAULTS.rotateEvery);
  const seconds = parseDurationSeconds(value, "rotateEvery");
  if (seconds % 60 !== 0 || seconds > 86400) fail("rotateEvery", "must be whole minutes, at most 1d");
  return seconds / 60;
}

function exampleSpiffeIdOf(node: Node, trustDomain: string): string {
  const value = text(node, "exampleSpiffeId", `spiffe://${trustDomain}/aws/example`);
  let id: SpiffeId;
  try {
    id = SpiffeId.fromString(value);
  } catch (err) {
    throw new Error(`infra: context exampleSpiffeId ${JSON.stringify(value)} is not a valid SPIFFE ID`, { cause: err });
  }
  if (id.trustDomain.name !== trustDomain) fail("exampleSpiffeId", `must be in trust domain ${trustDomain}`);
  return id.toString();
}

function agentlessExampleOf(node: Node, trustDomain: string): TesseraSettings["agentlessExample"] {
  if (!flag(node, "agentlessExample")) return undefined;
  const botName = text(node, "agentlessExampleBotName", "agentless-example");
  try {
    assertBotName(botName);
  } catch (err) {
    throw new Error(`infra: context agentlessExampleBotName ${JSON.stringify(botName)} is not a bot name`, { cause: err });
  }
  const spiffeId = text(node, "agentlessExampleSpiffeId", `spiffe://${trustDomain}/lambda/agentless-example`);
  let id: SpiffeId | undefined;
  try {
    id = SpiffeId.fromString(spiffeId);
  } catch (err) {
    throw new Error(`infra: context agentlessExampleSpiffeId ${JSON.stringify(spiffeId)} is not a valid SPIFFE ID`, { cause: err });
  }
  if (id.trustDomain.name !== trustDomain) fail("agentlessExampleSpiffeId", `must be in trust domain ${trustDomain}`);
  return { botName, spiffeId: id.toString() };
}

function customDomainOf(node: Node): TesseraSettings["customDomain"] {
  const domainName = optional(node, "customDomainName");
  const certificateArn = optional(node, "customDomainCertificateArn");
  if (domainName === undefined && certificateArn === undefined) return undefined;
  if (domainName === undefined || certificateArn === undefined) {
    fail("customDomainName", "and customDomainCertificateArn must be set together");
  }
  const hostedZoneId = optional(node, "customDomainHostedZoneId");
  const hostedZoneName = optional(node, "customDomainHostedZoneName");
  if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
    fail("customDomainHostedZoneId", "and customDomainHostedZoneName must be set together");
  }
  return { domainName, certificateArn, ...(hostedZoneId && hostedZoneName ? { hostedZoneId, hostedZoneName } : {}) };
}

/**
 * The OIDC issuer URL the functions put in JWT-SVIDs and publish discovery under: the `issuerUrl`
 * setting, else the custom domain, else `apiEndpoint` (the HTTP API's own URL, a deploy-time token).
 */
export function issuerUrlOf(settings: TesseraSettings, apiEndpoint: string): string {
  return settings.issuerUrl ?? (settings.customDomain ? `https://${settings.customDomain.domainName}` : apiEndpoint);
}

/** The environment every function gets from the settings: the `TESSERA_*` configuration variables. */
export function configEnvironment(settings: TesseraSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, variable] of Object.entries(CONFIG_VARIABLES)) env[variable] = String(settings[key as keyof typeof CONFIG_VARIABLES]);
  return env;
}

/**
 * Read and check the settings from CDK context. The functions' configuration is checked here with
 * the library's own `loadConfig`, so a value the functions would refuse fails `cdk synth`, naming
 * the context key, instead of every cold start.
 */
export function readSettings(node: Node): TesseraSettings {
  const trustDomain = trustDomainOf(node);
  const logRetentionDays = positiveInteger(node, "logRetentionDays", DEFAULTS.logRetentionDays);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) fail("logRetentionDays", `must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  const removal = text(node, "trustAnchorRemovalPolicy", DEFAULTS.trustAnchorRemovalPolicy);
  if (removal !== "retain" && removal !== "destroy") fail("trustAnchorRemovalPolicy", "must be retain or destroy");
  const settings: TesseraSettings = {
    stackPrefix: text(node, "stackPrefix", DEFAULTS.stackPrefix),
    trustDomain,
    kmsAliasPrefix: text(node, "kmsAliasPrefix", defaultAliasPrefix(TrustDomain.fromString(trustDomain))),
    keySpec: text(node, "keySpec", DEFAULTS.keySpec),
    credentialTtl: text(node, "credentialTtl", DEFAULTS.credentialTtl),
    x509SvidTtl: text(node, "x509SvidTtl", DEFAULTS.x509SvidTtl),
    x509SvidMaxTtl: text(node, "x509SvidMaxTtl", DEFAULTS.x509SvidMaxTtl),
    jwtSvidTtl: text(node, "jwtSvidTtl", DEFAULTS.jwtSvidTtl),
    jwtSvidMaxTtl: text(node, "jwtSvidMaxTtl", DEFAULTS.jwtSvidMaxTtl),
    jwtSvids: flag(node, "jwtSvids", true),
    caTtl: text(node, "caTtl", DEFAULTS.caTtl),
    jwtKeyTtl: text(node, "jwtKeyTtl", DEFAULTS.jwtKeyTtl),
    bundleRefreshHint: text(node, "bundleRefreshHint", DEFAULTS.bundleRefreshHint),
    caWarnFraction: text(node, "caWarnFraction", DEFAULTS.caWarnFraction),
    rotateEveryMinutes: rotateMinutes(node),
    publicBundles: flag(node, "publicBundles"),
    logRetentionDays,
    logLevel: text(node, "logLevel", DEFAULTS.logLevel),
    rolesAnywhere: flag(node, "rolesAnywhere", true),
    trustAnchorName: text(node, "trustAnchorName", `tessera-${trustDomain.replace(/[^a-zA-Z0-9_-]/g, "-")}`),
    trustAnchorRemovalPolicy: removal,
    exampleSpiffeId: exampleSpiffeIdOf(node, trustDomain),
    apiThrottle: {
      rateLimit: positiveInteger(node, "apiRateLimit", DEFAULTS.apiRateLimit),
      burstLimit: positiveInteger(node, "apiBurstLimit", DEFAULTS.apiBurstLimit),
    },
  };
  const customDomain = customDomainOf(node);
  if (customDomain) settings.customDomain = customDomain;
  const agentlessExample = agentlessExampleOf(node, trustDomain);
  if (agentlessExample) settings.agentlessExample = agentlessExample;
  const issuerUrl = optional(node, "issuerUrl");
  if (issuerUrl !== undefined) settings.issuerUrl = issuerUrl;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(settings.stackPrefix)) fail("stackPrefix", "must be letters, digits and -");
  if (!/^[ a-zA-Z0-9_-]{1,255}$/.test(settings.trustAnchorName))
    fail("trustAnchorName", "must be 1 to 255 letters, digits, spaces, _ or -");
  checkFunctionConfig(settings);
  return settings;
}

function checkFunctionConfig(settings: TesseraSettings): void {
  try {
    loadConfig({
      ...configEnvironment(settings),
      TESSERA_TABLE_NAME: "synth-check",
      TESSERA_KMS_ALIAS_PREFIX: settings.kmsAliasPrefix,
      ...(settings.issuerUrl !== undefined ? { TESSERA_ISSUER_URL: settings.issuerUrl } : {}),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const variable = /TESSERA_[A-Z0-9_]+/.exec(message)?.[0];
    const key = Object.entries({ ...CONFIG_VARIABLES, issuerUrl: "TESSERA_ISSUER_URL" }).find(([, v]) => v === variable)?.[0];
    throw new Error(`infra: context ${key ?? "settings"} is refused by the functions' configuration: ${message}`, { cause: err });
  }
}
