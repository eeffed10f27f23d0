import { Logger } from "@aws-lambda-powertools/logger";
import type { AdminDeps } from "../admin/index.js";
import { createJoinVerifiers } from "../attestation/index.js";
import type { RolesAnywhereApi } from "../bundlepublisher/index.js";
import { AuthorityCache, type AuthorityDepsOver, type AuthorityPolicy } from "../ca/index.js";
import { systemClock, type Clock } from "../clock.js";
import type { TesseraConfig } from "../config/index.js";
import type { IssuerDeps, IssuerPolicy } from "../issuer/index.js";
import type { Logger as TesseraLogger } from "../logger.js";
import { DiskKeyManager } from "../keymanager/disk/index.js";
import type { KeyManager } from "../keymanager/types.js";
import { EmbeddedStore } from "../store/embedded/index.js";
import type { CrlPublisher, RevocationDeps } from "../revocation/index.js";
import type { RotationPolicy } from "../rotation/index.js";
import type { JournalKind, Store } from "../store/types.js";

/** Everything the handlers need, built once per process (one Lambda cold start, one dev server). */
export interface TesseraRuntime {
  config: TesseraConfig;
  store: Store;
  keys: KeyManager;
  clock: Clock;
  logger: TesseraLogger;
  authorities: AuthorityCache;
  issuer: IssuerDeps;
  admin: AdminDeps;
  authority: AuthorityDepsOver<Store>;
  authorityPolicy: AuthorityPolicy;
  rotationPolicy: Record<JournalKind, RotationPolicy>;
  /** Revoking SVIDs and signing CRLs (the admin routes and the rotation tick). */
  revocation: RevocationDeps<Store>;
  close(): Promise<void>;
}

/** Parts a caller may supply instead of the ones the configuration names (tests, the dev server). */
export interface RuntimeOverrides {
  store?: Store;
  keys?: KeyManager;
  clock?: Clock;
  logger?: TesseraLogger;
  /** Where CRLs go; by default the ones the configuration names (`createCrlPublishers`). */
  crlPublishers?: CrlPublisher[];
  /** The Roles Anywhere client the admin reads the trust anchor with, where one is configured. */
  rolesAnywhere?: RolesAnywhereApi;
}

/** A Powertools logger with Tessera's service name. */
export function createLogger(level: string): TesseraLogger {
  const logger = new Logger({ serviceName: "tessera", logLevel: level as never });
  return {
    debug: (message, fields) => logger.debug(message, fields ?? {}),
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
    addContext: (context) => logger.addContext(context as never),
  };
}

// The AWS parts (SDK clients, DynamoDB store, KMS key manager, publishers) are imported only when the
// configuration names them: `tessera dev` (embedded store, disk key, nothing to publish) then starts
// without evaluating the AWS SDK, which was most of its start-up time.
async function openStore(config: TesseraConfig, clock: Clock): Promise<Store> {
  const { auditRetentionDays } = config;
  if (config.store.kind === "embedded") return EmbeddedStore.open({ directory: config.store.directory, clock, auditRetentionDays });
  const [{ DynamoDbStore }, { createDynamoDbDocumentClient }] = await Promise.all([import("../store/dynamodb/index.js"), import("../aws/clients.js")]);
  const client = createDynamoDbDocumentClient({ endpoint: config.awsEndpoints.dynamodb });
  return new DynamoDbStore({ client, tableName: config.store.tableName, clock, auditRetentionDays });
}

async function openKeys(config: TesseraConfig, clock: Clock, logger: TesseraLogger): Promise<KeyManager> {
  if (config.keyManager.kind === "disk") return new DiskKeyManager({ directory: config.keyManager.directory });
  const [{ KmsKeyManager }, { createKmsClient }] = await Promise.all([import("../keymanager/kms/index.js"), import("../aws/clients.js")]);
  return new KmsKeyManager({
    client: createKmsClient({ endpoint: config.awsEndpoints.kms }),
    aliasPrefix: config.keyManager.aliasPrefix,
    tags: { "tessera:trust-domain": config.trustDomain.name },
    clock,
    onRetireError: (err) => logger.warn("keymanager: could not schedule the replaced key for deletion", { code: err.code, error: err.message }),
  });
}

async function openCrlPublishers(config: TesseraConfig): Promise<CrlPublisher[]> {
  if (!config.bundleBucket && !config.trustAnchorId) return [];
  const { createCrlPublishers } = await import("../bundlepublisher/create-bundle-publishers.js");
  return createCrlPublishers(config);
}

async function openTrustAnchor(
  config: TesseraConfig,
  authorities: AuthorityCache,
  rolesAnywhere: RolesAnywhereApi | undefined,
): Promise<Pick<AdminDeps, "trustAnchor">> {
  if (!config.trustAnchorId) return {};
  const { createTrustAnchorCalls } = await import("../bundlepublisher/create-trust-anchor-calls.js");
  return {
    trustAnchor: {
      calls: createTrustAnchorCalls({ client: rolesAnywhere, endpoint: config.awsEndpoints.rolesanywhere }),
      trustAnchorId: config.trustAnchorId,
      bundle: () => authorities.bundle(),
    },
  };
}

/** Build the store, key manager, authority cache and use-case dependencies from configuration. */
export async function buildRuntime(config: TesseraConfig, overrides: RuntimeOverrides = {}): Promise<TesseraRuntime> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const store = overrides.store ?? (await openStore(config, clock));
  const keys = overrides.keys ?? (await openKeys(config, clock, logger));
  const authorities = new AuthorityCache(
    { keys, journals: store, clock },
    { trustDomain: config.trustDomain, refreshHintSeconds: config.bundleRefreshHintSeconds },
  );
  const authorityPolicy: AuthorityPolicy = {
    trustDomain: config.trustDomain,
    keySpec: config.keySpec,
    caTtlSeconds: config.caTtlSeconds,
    jwtKeyTtlSeconds: config.jwtKeyTtlSeconds,
  };
  const rotationTiming = {
    skewSeconds: config.backdateSeconds,
    refreshHintSeconds: config.bundleRefreshHintSeconds,
    warnFraction: config.caWarnFraction,
  };
  const rotationPolicy = {
    x509: { ...rotationTiming, maxSvidTtlSeconds: config.x509SvidMaxTtlSeconds },
    jwt: { ...rotationTiming, maxSvidTtlSeconds: config.jwtSvidMaxTtlSeconds },
  };
  const verifiers = createJoinVerifiers({ clock, ...config.join });
  const policy: IssuerPolicy = {
    trustDomain: config.trustDomain,
    credentialTtlSeconds: config.credentialTtlSeconds,
    x509Svid: { defaultSeconds: config.x509SvidTtlSeconds, maxSeconds: config.x509SvidMaxTtlSeconds },
    jwtSvid: { defaultSeconds: config.jwtSvidTtlSeconds, maxSeconds: config.jwtSvidMaxTtlSeconds },
    backdateSeconds: config.backdateSeconds,
    ...(config.issuerUrl ? { issuerUrl: config.issuerUrl } : {}),
  };
  const revocation: RevocationDeps<Store> = {
    store,
    keys,
    clock,
    logger,
    crlPublishers: overrides.crlPublishers ?? (await openCrlPublishers(config)),
    svidWindowSeconds: Math.max(config.x509SvidMaxTtlSeconds, config.jwtSvidMaxTtlSeconds) + config.backdateSeconds,
  };
  return {
    config,
    store,
    keys,
    clock,
    logger,
    authorities,
    authorityPolicy,
    rotationPolicy,
    authority: { keys, journals: store, leases: store, clock },
    issuer: { store, authorities, clock, logger, policy, verifiers },
    admin: {
      store,
      clock,
      logger,
      trustDomain: config.trustDomain,
      maxSvidTtlSeconds: config.x509SvidMaxTtlSeconds,
      issuerPolicy: policy,
      rotationPolicy,
      verifiers,
      ...(await openTrustAnchor(config, authorities, overrides.rolesAnywhere)),
    },
    revocation,
    close: () => store.close(),
  };
}
