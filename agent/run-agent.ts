import type { Logger } from "#tessera/core";
import type { AgentFatalError } from "./agent-fatal-error.js";
import {
  attestUnix,
  createProcessCache,
  readPeerCredentials,
  readsProcess,
  selectorKindsOf,
  type AttestUnixOptions,
} from "./attestation/index.js";
import { BotSession } from "./bot-session.js";
import type { AgentConfig, AwsRolesAnywhereService, WorkloadApiService } from "./config/index.js";
import { startDiagServer, type DiagReport, type DiagServer } from "./diag-server.js";
import { IssuerClient } from "./issuer-client.js";
import type { ContainerCredentialsServer } from "./outputs/aws-container-credentials.js";
import type { AwsRolesAnywhereOutput } from "./outputs/aws-roles-anywhere.js";
import { createJwtFileOutput, createX509FileOutput, type FileOutput } from "./outputs/file-outputs.js";
import { RevocationWatcher } from "./revocation-watcher.js";
import { TrustPoll } from "./trust-poll.js";
import { SvidManager, type X509Want } from "./svid-manager.js";
import { SvidStorage } from "./svid-storage.js";
import { createWorkloadSource } from "./workload-source.js";
import { startWorkloadApiServer, type WorkloadApiServer } from "./workloadapi/start-workload-api-server.js";

/** Options of `startAgent`. */
export interface StartAgentOptions {
  config: AgentConfig;
  logger: Logger;
  /** `host:port` for /livez, /readyz and /metrics. */
  diagAddr?: string;
  /** Poll the bundle at least this often, ms. */
  bundleRefreshMs?: number;
}

/** A running agent. */
export interface RunningAgent {
  manager: SvidManager;
  /** Polls the issuer's CRLs and JWT-SVID deny-list. */
  revocations: RevocationWatcher;
  session: BotSession;
  workloadApi: WorkloadApiServer[];
  outputs: FileOutput[];
  diag?: DiagServer;
  /** Settles with the error that ends the agent (a refused join token); never settles otherwise. */
  fatal: Promise<AgentFatalError>;
  report(): DiagReport;
  /** Renew the credential and every SVID now (SIGHUP). */
  renewNow(): Promise<void>;
  stop(): Promise<void>;
}

/** The AWS outputs, loaded (with their SigV4 signer) only when a service asks for Roles Anywhere. */
async function loadAwsOutputs(config: AgentConfig) {
  if (!config.services.some((s) => s.type === "workload-identity-aws-roles-anywhere")) return undefined;
  const [rolesAnywhere, containerCredentials] = await Promise.all([
    import("./outputs/aws-roles-anywhere.js"),
    import("./outputs/aws-container-credentials.js"),
  ]);
  return { ...rolesAnywhere, ...containerCredentials };
}

function wantsOf(config: AgentConfig, aws: Awaited<ReturnType<typeof loadAwsOutputs>>): X509Want[] {
  const wants: X509Want[] = [];
  for (const s of config.services) {
    if (s.type === "workload-identity-api") {
      for (const i of s.identities)
        wants.push({ spiffeId: i.spiffeId, dnsNames: i.dnsNames, ...(i.ttlSeconds ? { ttlSeconds: i.ttlSeconds } : {}) });
    } else if (s.type === "workload-identity-x509") {
      wants.push({ spiffeId: s.spiffeId, dnsNames: s.dnsNames, ...(s.ttlSeconds ? { ttlSeconds: s.ttlSeconds } : {}) });
    } else if (s.type === "workload-identity-aws-roles-anywhere" && aws) {
      wants.push(aws.rolesAnywhereWant(s));
    }
  }
  return wants;
}

/**
 * Start the agent: the bot session, the SVID manager, the file outputs and (unless oneshot) the
 * Workload API sockets and the diagnostics server. Returns at once; SVIDs arrive in the background.
 */
export async function startAgent(options: StartAgentOptions): Promise<RunningAgent> {
  const { config, logger } = options;
  const aws = await loadAwsOutputs(config);
  const client = new IssuerClient({ issuer: config.issuer });
  const session = new BotSession({
    client,
    onboarding: config.onboarding,
    logger,
    ...(config.storageDirectory ? { storageDirectory: config.storageDirectory } : {}),
    ...(config.renewalIntervalSeconds ? { renewalIntervalSeconds: config.renewalIntervalSeconds } : {}),
    ...(config.credentialTtlSeconds ? { credentialTtlSeconds: config.credentialTtlSeconds } : {}),
  });
  const trust = new TrustPoll(client);
  const manager = new SvidManager({
    client: {
      fetchX509Svid: (credential, request) => client.fetchX509Svid(credential, request),
      fetchX509SvidBatch: (credential, requests) => client.fetchX509SvidBatch(credential, requests),
      fetchJwtSvid: (credential, request) => client.fetchJwtSvid(credential, request),
      fetchBundleState: () => trust.fetchBundleState(),
    },
    session,
    trustDomain: config.trustDomain,
    wants: wantsOf(config, aws),
    logger,
    ...(options.bundleRefreshMs ? { bundleRefreshMs: options.bundleRefreshMs } : {}),
    ...(config.storageDirectory ? { storage: new SvidStorage(config.storageDirectory, config.trustDomain) } : {}),
  });
  const revocations = new RevocationWatcher({
    client: trust,
    target: manager,
    logger,
    ...(config.revocationIntervalSeconds ? { intervalSeconds: config.revocationIntervalSeconds } : {}),
  });
  const fatal = new Promise<AgentFatalError>((resolve) => session.onFatal(resolve));
  const rolesAnywhere = new Map<AwsRolesAnywhereService, AwsRolesAnywhereOutput>();
  const rolesAnywhereOutput = (s: AwsRolesAnywhereService) => {
    const output = aws!.createAwsRolesAnywhereOutput(s, manager, logger);
    rolesAnywhere.set(s, output);
    return output;
  };
  const outputs: FileOutput[] = config.services.flatMap((s) =>
    s.type === "workload-identity-x509"
      ? [createX509FileOutput(s, manager, logger)]
      : s.type === "workload-identity-jwt"
        ? [createJwtFileOutput(s, manager, logger)]
        : s.type === "workload-identity-aws-roles-anywhere"
          ? [rolesAnywhereOutput(s)]
          : [],
  );
  const apis = config.services.filter((s): s is WorkloadApiService => s.type === "workload-identity-api");
  const workloadApi: WorkloadApiServer[] = [];
  const credentialServers: ContainerCredentialsServer[] = [];
  try {
    await manager.load();
    if (!config.oneshot) {
      for (const api of apis) {
        const attestation: AttestUnixOptions = {
          kinds: selectorKindsOf(api.identities.flatMap((i) => i.selectors)),
          sha256: api.attestors.unix.sha256,
          processCache: createProcessCache(),
        };
        const startTime = readsProcess(attestation);
        workloadApi.push(
          await startWorkloadApiServer({
            socketPath: api.socketPath,
            source: createWorkloadSource(manager, api.identities, revocations),
            attest: async (socket) => {
              const creds = readPeerCredentials(socket, { startTime });
              const selectors = await attestUnix(creds, attestation);
              return { pid: creds.pid, uid: creds.uid, gid: creds.gid, selectors };
            },
            logger,
          }),
        );
      }
      for (const [service, output] of rolesAnywhere) {
        const listen = service.containerCredentialsListen;
        if (listen)
          credentialServers.push(
            await aws!.startContainerCredentialsServer({ ...service, containerCredentialsListen: listen }, output, logger),
          );
      }
    }
    manager.start();
    if (!config.oneshot) revocations.start();
    for (const output of outputs) void output.flush();
  } catch (err) {
    revocations.stop();
    await manager.stop();
    session.stop();
    await Promise.all([...workloadApi, ...credentialServers].map((s) => s.close()));
    throw err;
  }
  const report = (): DiagReport => {
    const services: DiagReport["services"] = { "bot-credential": session.status() };
    const svids = manager.status();
    for (const s of svids.svids) services[`x509-svid:${s.spiffeId}`] = s;
    for (const o of outputs) services[o.name] = o.status();
    workloadApi.forEach((w, i) => {
      services[`workload-identity-api:${apis[i]?.socketPath}`] = { ready: manager.isReady(), ...w.stats() };
    });
    return {
      ready: Object.values(services).every((s) => s.ready),
      services,
      metrics: [
        {
          name: "tessera_agent_ready",
          help: "1 when every service is ready",
          type: "gauge",
          samples: [{ value: Object.values(services).every((s) => s.ready) ? 1 : 0 }],
        },
        {
          name: "tessera_agent_x509_svid_expiry_seconds",
          help: "Seconds until each held X.509-SVID expires",
          type: "gauge",
          samples: svids.svids.map((s) => ({
            labels: { spiffe_id: s.spiffeId },
            value: s.expiresAt ? Math.round((Date.parse(s.expiresAt) - Date.now()) / 1000) : 0,
          })),
        },
        {
          name: "tessera_agent_bundle_sequence",
          help: "spiffe_sequence of the held trust bundle",
          type: "gauge",
          samples: [{ value: svids.bundleSequence ?? 0 }],
        },
        {
          name: "tessera_agent_workload_api_streams",
          help: "Open Workload API streams",
          type: "gauge",
          samples: workloadApi.map((w, i) => ({ labels: { socket: apis[i]?.socketPath ?? "" }, value: w.stats().streams })),
        },
      ],
    };
  };
  const diag = options.diagAddr ? await startDiagServer(options.diagAddr, report) : undefined;
  return {
    manager,
    revocations,
    session,
    workloadApi,
    outputs,
    ...(diag ? { diag } : {}),
    fatal,
    report,
    renewNow: async () => {
      await session.renewNow();
      await manager.renewNow();
      await revocations.poll();
    },
    stop: async () => {
      revocations.stop();
      await manager.stop();
      await Promise.all(outputs.map((o) => o.stop()));
      session.stop();
      await Promise.all([...workloadApi.map((s) => s.close()), ...credentialServers.map((s) => s.close()), diag?.close()]);
    },
  };
}

/**
 * Oneshot: write every file output once and resolve. Rejects with the `AgentFatalError` at once
 * when the issuer refuses the agent for good, or after `timeoutMs` with the last error seen.
 */
export async function runOneshot(options: StartAgentOptions, timeoutMs = 60_000): Promise<void> {
  const agent = await startAgent({ ...options, config: { ...options.config, oneshot: true } });
  try {
    await agent.manager.ready(timeoutMs);
    for (const output of agent.outputs) {
      if (!(await output.flush()))
        throw (
          agent.session.fatal() ?? new Error(`agent: ${output.name} could not be written: ${output.status().lastError ?? "unknown error"}`)
        );
    }
  } finally {
    await agent.stop();
  }
}
