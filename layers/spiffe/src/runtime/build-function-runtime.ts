import type { JoinRuleValidators, JoinVerifiers } from "../attestation/index.js";
import { createDynamoDbDocumentClient } from "../aws/clients.js";
import type { TrustAnchorCalls } from "../bundlepublisher/rolesanywhere/index.js";
import { systemClock, type Clock } from "../clock.js";
import type { TesseraConfig } from "../config/index.js";
import { ConfigError } from "../errors.js";
import type { KeyManager, KeyRetirer } from "../keymanager/types.js";
import type { Logger } from "../logger.js";
import type { CrlPublisher } from "../revocation/index.js";
import { DynamoDbStore } from "../store/dynamodb/index.js";
import { assembleRuntime, type TesseraRuntime } from "./assemble-runtime.js";
import { createLogger } from "./create-logger.js";

/**
 * The optional parts a Lambda function names because its routes use them; a function that names
 * none carries neither the signing keys, the join verifiers nor the S3 and Roles Anywhere clients
 * in its bundle.
 */
export interface FunctionRuntimeParts {
  /**
   * The configured key manager (`openKeys`): the functions that sign or manage keys. Default: none,
   * and every key call fails with a `ConfigError` (the join function never signs).
   */
  keys?: (config: TesseraConfig, clock: Clock, logger: Logger) => KeyManager & KeyRetirer;
  /** Where CRLs go: the functions that revoke SVIDs or run the rotation tick. Default: none. */
  crlPublishers?: CrlPublisher[];
  /** The platform join verifiers: the functions that join bots or validate join rules. */
  verifiers?: (clock: Clock) => JoinVerifiers;
  /** The join-rule checks alone, for a function that writes bots but never joins one (the admin). */
  joinRules?: JoinRuleValidators;
  /** The Roles Anywhere calls the admin function reads the configured trust anchor with. */
  trustAnchorCalls?: TrustAnchorCalls;
}

function refuseKeys(): Promise<never> {
  return Promise.reject(new ConfigError("runtime: this function opens no keys (buildFunctionRuntime names none)"));
}

/** The key manager of a function that opens none. */
const NO_KEYS: KeyManager & KeyRetirer = { generateKey: refuseKeys, getKey: refuseKeys, listKeys: refuseKeys, retireKey: refuseKeys };

/** The DynamoDB store the configuration names. */
export function openDynamoDbStore(config: TesseraConfig, clock: Clock): DynamoDbStore {
  if (config.store.kind !== "dynamodb")
    throw new ConfigError("config: a Lambda function keeps its records in DynamoDB (TESSERA_STORE=dynamodb)");
  const client = createDynamoDbDocumentClient({ endpoint: config.awsEndpoints.dynamodb });
  return new DynamoDbStore({ client, tableName: config.store.tableName, clock, auditRetentionDays: config.auditRetentionDays });
}

/**
 * A Lambda function's runtime: the DynamoDB store, and only the `parts` the function names
 * (`buildRuntime` opens every part the configuration allows, for `tessera dev`).
 */
export function buildFunctionRuntime(config: TesseraConfig, parts: FunctionRuntimeParts = {}): TesseraRuntime {
  const clock = systemClock;
  const logger = createLogger(config.logLevel);
  return assembleRuntime(config, {
    store: openDynamoDbStore(config, clock),
    keys: parts.keys?.(config, clock, logger) ?? NO_KEYS,
    clock,
    logger,
    crlPublishers: parts.crlPublishers ?? [],
    verifiers: parts.verifiers?.(clock),
    ...(parts.joinRules ? { joinRules: parts.joinRules } : {}),
    ...(parts.trustAnchorCalls ? { trustAnchorCalls: parts.trustAnchorCalls } : {}),
  });
}
