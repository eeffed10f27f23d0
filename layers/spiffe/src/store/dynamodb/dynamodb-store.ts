import { systemClock, type Clock } from "../../clock.js";
import { auditRetentionMsOf } from "../record-rules.js";
import type {
  AuditEvent,
  AuditFilter,
  Bot,
  BotInstance,
  CaJournal,
  JoinToken,
  JournalKind,
  Lock,
  ReplayClaim,
  RevocationStore,
  Store,
} from "../types.js";
import { DynamoDbAudit } from "./dynamodb-audit.js";
import { DynamoDbBotInstances } from "./dynamodb-bot-instances.js";
import { DynamoDbBots } from "./dynamodb-bots.js";
import { DynamoDbJoinTokens } from "./dynamodb-join-tokens.js";
import { DynamoDbJournals } from "./dynamodb-journals.js";
import { DynamoDbRevocations } from "./dynamodb-revocations.js";
import { DynamoDbReplay } from "./dynamodb-single-use.js";
import { TableClient, type DynamoDbDocumentSender } from "./table-client.js";

export type { DynamoDbDocumentSender } from "./table-client.js";

/** Options of `DynamoDbStore`. */
export interface DynamoDbStoreOptions {
  /** A DynamoDB document client (lib-dynamodb), configured by the caller. */
  client: DynamoDbDocumentSender;
  tableName: string;
  /** How long audit events are kept before DynamoDB's TTL removes them. Default 365. */
  auditRetentionDays?: number;
  clock?: Clock;
}

/**
 * The Tessera store over one DynamoDB table (see the module overview for the item design): one
 * part per record kind over a shared table client, each method handed to its part.
 */
export class DynamoDbStore implements Store {
  readonly #bots: DynamoDbBots;
  readonly #tokens: DynamoDbJoinTokens;
  readonly #instances: DynamoDbBotInstances;
  readonly #replay: DynamoDbReplay;
  readonly #journals: DynamoDbJournals;
  readonly #audit: DynamoDbAudit;
  /** Revoked SVIDs and CRLs, in the same table. */
  readonly revocations: RevocationStore;

  constructor(options: DynamoDbStoreOptions) {
    if (typeof options.tableName !== "string" || options.tableName === "") {
      throw new TypeError("store: tableName is required");
    }
    const auditRetentionMs = auditRetentionMsOf(options.auditRetentionDays);
    const table = new TableClient(options.client, options.tableName);
    const clock = options.clock ?? systemClock;
    this.#bots = new DynamoDbBots(table);
    this.#tokens = new DynamoDbJoinTokens(table, this.#bots, clock);
    this.#instances = new DynamoDbBotInstances(table, this.#bots, clock);
    this.#replay = new DynamoDbReplay(table);
    this.#journals = new DynamoDbJournals(table);
    this.#audit = new DynamoDbAudit(table, auditRetentionMs, clock);
    this.revocations = new DynamoDbRevocations(table);
  }

  createBot(bot: Bot): Promise<void> {
    return this.#bots.createBot(bot);
  }
  getBot(name: string): Promise<Bot | undefined> {
    return this.#bots.getBot(name);
  }
  listBots(): Promise<Bot[]> {
    return this.#bots.listBots();
  }
  deleteBot(name: string): Promise<Bot> {
    return this.#bots.deleteBot(name);
  }
  setBotLock(name: string, lock: Lock | undefined): Promise<Bot> {
    return this.#bots.setBotLock(name, lock);
  }
  createJoinToken(token: JoinToken): Promise<void> {
    return this.#tokens.createJoinToken(token);
  }
  getJoinToken(tokenHash: string): Promise<JoinToken | undefined> {
    return this.#tokens.getJoinToken(tokenHash);
  }
  listJoinTokens(botName?: string): Promise<JoinToken[]> {
    return this.#tokens.listJoinTokens(botName);
  }
  redeemJoinToken(tokenHash: string, now: number, instance: BotInstance): Promise<JoinToken> {
    return this.#tokens.redeemJoinToken(tokenHash, now, instance);
  }
  setJoinTokenLock(tokenHash: string, lock: Lock | undefined): Promise<void> {
    return this.#tokens.setJoinTokenLock(tokenHash, lock);
  }
  deleteJoinToken(tokenHash: string): Promise<void> {
    return this.#tokens.deleteJoinToken(tokenHash);
  }
  createBotInstance(instance: BotInstance, claims?: readonly ReplayClaim[]): Promise<void> {
    return this.#instances.createBotInstance(instance, claims);
  }
  getBotInstance(id: string): Promise<BotInstance | undefined> {
    return this.#instances.getBotInstance(id);
  }
  listBotInstances(botName?: string): Promise<BotInstance[]> {
    return this.#instances.listBotInstances(botName);
  }
  advanceGeneration(
    id: string,
    expectedGeneration: number,
    update: { renewedAt: number; expiresAt: number; credentialHash: string },
  ): Promise<BotInstance> {
    return this.#instances.advanceGeneration(id, expectedGeneration, update);
  }
  setBotInstanceLock(id: string, lock: Lock | undefined): Promise<BotInstance> {
    return this.#instances.setBotInstanceLock(id, lock);
  }
  claimOnce(namespace: string, key: string, expiresAt: number, now: number): Promise<void> {
    return this.#replay.claimOnce(namespace, key, expiresAt, now);
  }
  isClaimed(namespace: string, key: string, now: number): Promise<boolean> {
    return this.#replay.isClaimed(namespace, key, now);
  }
  getJournal(kind: JournalKind): Promise<CaJournal | undefined> {
    return this.#journals.getJournal(kind);
  }
  putJournal(journal: CaJournal, expectedVersion: number): Promise<void> {
    return this.#journals.putJournal(journal, expectedVersion);
  }
  appendAudit(event: AuditEvent): Promise<void> {
    return this.#audit.appendAudit(event);
  }
  listAudit(filter?: AuditFilter): Promise<AuditEvent[]> {
    return this.#audit.listAudit(filter);
  }

  /** Nothing to release: the client belongs to the caller. */
  async close(): Promise<void> {}
}
