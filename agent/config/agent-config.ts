import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import type { parseDocument } from "yaml";
import { TrustDomain } from "#tessera/core";
import { AgentConfigError, Reader, type Obj } from "./config-reader.js";
import { readOnboarding, readTokenOnboarding, type AgentOnboarding } from "./onboarding-config.js";
import { readServices, type AgentService } from "./service-config.js";
import { parseYamlSubset } from "./yaml-subset.js";

/** The default configuration file. */
export const DEFAULT_CONFIG_PATH = "/etc/tessera/agent.yaml";

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

let yaml: { parseDocument: typeof parseDocument } | undefined;

/**
 * The YAML of a configuration: read by yaml-subset.ts when it stays within that subset (nearly every
 * configuration, without loading `yaml`), else by `yaml`, loaded from node_modules on that first use
 * (the CLI bundle does not carry it, so an agent start does not compile it).
 */
function readYaml(text: string): unknown {
  const subset = parseYamlSubset(text);
  if (subset !== undefined) return subset;
  yaml ??= createRequire(import.meta.url)("yaml") as { parseDocument: typeof parseDocument };
  const doc = yaml.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new AgentConfigError(`agent config: ${doc.errors[0]?.message ?? "invalid YAML"}`);
  return doc.toJS() as unknown;
}

/** Parse and validate agent YAML (`version: v1`, snake_case, unknown keys refused). */
export function parseAgentConfig(text: string, options: { baseDir?: string } = {}): AgentConfig {
  const data = readYaml(text);
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
  const platform = readOnboarding(onboarding, baseDir, trustDomain);
  const token = platform ? undefined : onboarding.string("token");
  const storage = r.object("storage");
  storage?.allow(["directory"]);
  const storageDir = storage?.string("directory", true);
  const services = readServices(r, trustDomain, baseDir);
  const oneshot = r.bool("oneshot", false);
  const config: AgentConfig = {
    issuer,
    trustDomain,
    onboarding: platform ?? readTokenOnboarding(onboarding, token, baseDir),
    oneshot,
    services,
  };
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
