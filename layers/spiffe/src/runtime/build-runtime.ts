import { createJoinVerifiers } from "../attestation/index.js";
import type { RolesAnywhereApi, TrustAnchorCalls } from "../bundlepublisher/rolesanywhere/index.js";
import { systemClock, type Clock } from "../clock.js";
import type { TesseraConfig } from "../config/index.js";
import { DiskKeyManager } from "../keymanager/disk/index.js";
import type { KeyManager, KeyRetirer } from "../keymanager/types.js";
import type { Logger as TesseraLogger } from "../logger.js";
import type { CrlPublisher } from "../revocation/index.js";
import { EmbeddedStore } from "../store/embedded/index.js";
import type { Store } from "../store/types.js";
import { assembleRuntime, type TesseraRuntime } from "./assemble-runtime.js";
import { createLogger } from "./create-logger.js";

/** Parts a caller may supply instead of the ones the configuration names (tests, the dev server). */
export interface RuntimeOverrides {
  store?: Store;
  keys?: KeyManager & KeyRetirer;
  clock?: Clock;
  logger?: TesseraLogger;
  /** Where CRLs go; by default the ones the configuration names (`createCrlPublishers`). */
  crlPublishers?: CrlPublisher[];
  /** The Roles Anywhere client the admin reads the trust anchor with, where one is configured. */
  rolesAnywhere?: RolesAnywhereApi;
}

// The AWS parts (SDK clients, DynamoDB store, KMS key manager, publishers) are imported only when the
// configuration names them: `tessera dev` (embedded store, disk key, nothing to publish) then starts
// without evaluating the AWS SDK, which was most of its start-up time.
async function openStore(config: TesseraConfig, clock: Clock): Promise<Store> {
  const { auditRetentionDays } = config;
  if (config.store.kind === "embedded") return EmbeddedStore.open({ directory: config.store.directory, clock, auditRetentionDays });
  const { openDynamoDbStore } = await import("./build-function-runtime.js");
  return openDynamoDbStore(config, clock);
}

async function openKeyManager(config: TesseraConfig, clock: Clock, logger: TesseraLogger): Promise<KeyManager & KeyRetirer> {
  if (config.keyManager.kind === "disk") return new DiskKeyManager({ directory: config.keyManager.directory });
  const { openKeys } = await import("./open-keys.js");
  return openKeys(config, clock, logger);
}

async function openCrlPublishers(config: TesseraConfig): Promise<CrlPublisher[]> {
  if (!config.bundleBucket && !config.trustAnchorId) return [];
  const { createCrlPublishers } = await import("../bundlepublisher/create-bundle-publishers.js");
  return createCrlPublishers(config);
}

async function openTrustAnchorCalls(
  config: TesseraConfig,
  client: RolesAnywhereApi | undefined,
): Promise<{ trustAnchorCalls?: TrustAnchorCalls }> {
  if (!config.trustAnchorId) return {};
  const { createTrustAnchorCalls } = await import("../bundlepublisher/create-trust-anchor-calls.js");
  return { trustAnchorCalls: createTrustAnchorCalls({ client, endpoint: config.awsEndpoints.rolesanywhere }) };
}

/** Build the store, key manager, authority cache and use-case dependencies from configuration. */
export async function buildRuntime(config: TesseraConfig, overrides: RuntimeOverrides = {}): Promise<TesseraRuntime> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const store = overrides.store ?? (await openStore(config, clock));
  const keys = overrides.keys ?? (await openKeyManager(config, clock, logger));
  const crlPublishers = overrides.crlPublishers ?? (await openCrlPublishers(config));
  return assembleRuntime(config, {
    store,
    keys,
    clock,
    logger,
    crlPublishers,
    verifiers: createJoinVerifiers({ clock, ...config.join }),
    ...(await openTrustAnchorCalls(config, overrides.rolesAnywhere)),
  });
}
