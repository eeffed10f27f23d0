import { isAbsolute, resolve } from "node:path";
import { validateAudience, type TrustDomain } from "#tessera/core";
import { parseSelector } from "../attestation/index.js";
import { AgentConfigError, type Reader } from "./config-reader.js";
import { readRolesAnywhereService, type AwsRolesAnywhereService } from "./roles-anywhere-config.js";

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

/** One configured service. */
export type AgentService = WorkloadApiService | X509FileService | JwtFileService | AwsRolesAnywhereService;

/** Strip `unix://` or `unix:` from a socket address; a bare path is taken as is. */
export function socketPathOf(address: string): string {
  const path = address.startsWith("unix://") ? address.slice(7) : address.startsWith("unix:") ? address.slice(5) : address;
  if (!isAbsolute(path)) throw new AgentConfigError(`agent config: socket ${address} must be an absolute path`);
  return path;
}

const SIGNALS = new Set(["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGINT", "SIGQUIT"]);
/** The keys {@link reloadActionOf} reads, allowed on every file output. */
const RELOAD_ACTION_KEYS = ["cmd", "cmd_args", "renew_signal", "pid_file_name"];

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
      ...RELOAD_ACTION_KEYS,
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
    r.allow(["type", "spiffe_id", "audiences", "destination", "ttl", "file_name", "bundle_file_name", ...RELOAD_ACTION_KEYS]);
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
  if (type === "workload-identity-aws-roles-anywhere") return readRolesAnywhereService(r, trustDomain, baseDir, ttl);
  return r.fail(
    "type",
    "must be workload-identity-api, workload-identity-x509, workload-identity-jwt or workload-identity-aws-roles-anywhere",
  );
}

/**
 * Read `services`: at least one, each of a known type, and no two
 * `workload-identity-aws-roles-anywhere` services writing the same credentials file.
 */
export function readServices(r: Reader, trustDomain: TrustDomain, baseDir: string): AgentService[] {
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
  return services;
}
