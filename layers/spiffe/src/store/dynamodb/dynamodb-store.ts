import type { PutCommandInput, UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { systemClock, type Clock } from "../../clock.js";
import {
  BotExistsError,
  BotInstanceNotFoundError,
  BotNotFoundError,
  JoinTokenInvalidError,
  JournalConflictError,
  ReplayError,
  StoreConflictError,
} from "../../errors.js";
import {
  BOT_INSTANCE_RETENTION_MS,
  assertAuditEvent,
  assertJournalVersion,
  auditRetentionMsOf,
  boundToLiveBots,
  copyRecord,
  generationRefusal,
  retiredAfterRenewal,
  isBotInstanceLive,
  isJoinTokenLive,
} from "../record-rules.js";
import {
  type AuditEvent,
  type AuditFilter,
  type Bot,
  type BotInstance,
  type CaJournal,
  type JoinToken,
  type JournalKind,
  type Lock,
  type ReplayClaim,
  type RevocationStore,
  type Store,
} from "../types.js";
import { listAuditEvents, type AuditQuery } from "./audit-query.js";
import { deleteBotAndRecords } from "./bot-deletion.js";
import { botInstancePut, createBotInstanceWithClaims, replayPut } from "./bot-instance-creation.js";
import { DynamoDbRevocations } from "./dynamodb-revocations.js";
import { redeemJoinTokenItem } from "./join-token-redemption.js";
import {
  BOTS_COLLECTION,
  INSTANCES_COLLECTION,
  TOKENS_COLLECTION,
  auditItem,
  botInstanceKey,
  botItem,
  botKey,
  botPrefix,
  fromBotItem,
  fromItem,
  joinTokenItem,
  joinTokenKey,
  journalKey,
  replayKey,
  toItem,
  ttlSeconds,
  type Item,
} from "./items.js";
import { TableClient, type DynamoDbDocumentSender } from "./table-client.js";
import { GSI1_NAME, TTL_ATTRIBUTE } from "./table-schema.js";

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

const LIVE_INSTANCE = "attribute_exists(pk) AND expiresAt > :cutoff";

function lockUpdate(lock: Lock | undefined): Pick<UpdateCommandInput, "UpdateExpression" | "ExpressionAttributeValues"> {
  return lock === undefined
    ? { UpdateExpression: "REMOVE #lock" }
    : { UpdateExpression: "SET #lock = :lock", ExpressionAttributeValues: { ":lock": copyRecord(lock) } };
}

/** The Tessera store over one DynamoDB table (see the module overview for the item design). */
export class DynamoDbStore implements Store {
  readonly #table: TableClient;
  readonly #auditRetentionMs: number;
  readonly #clock: Clock;
  /** Revoked SVIDs and CRLs, in the same table. */
  readonly revocations: RevocationStore;

  constructor(options: DynamoDbStoreOptions) {
    if (typeof options.tableName !== "string" || options.tableName === "") {
      throw new TypeError("store: tableName is required");
    }
    const auditRetentionMs = auditRetentionMsOf(options.auditRetentionDays);
    this.#table = new TableClient(options.client, options.tableName);
    this.#auditRetentionMs = auditRetentionMs;
    this.#clock = options.clock ?? systemClock;
    this.revocations = new DynamoDbRevocations(this.#table);
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  async #queryCollection(operation: string, collection: string, botName: string | undefined): Promise<Item[]> {
    const values: Record<string, unknown> = { ":collection": collection };
    let condition = "gsi1pk = :collection";
    if (botName !== undefined) {
      condition += " AND begins_with(gsi1sk, :prefix)";
      values[":prefix"] = botPrefix(botName);
    }
    return this.#table.query(operation, {
      IndexName: GSI1_NAME,
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
    });
  }

  /** Create a bot; `BotExistsError` if the name is taken. */
  async createBot(bot: Bot): Promise<void> {
    await this.#table.put(
      "createBot",
      {
        Item: botItem(bot),
        ConditionExpression: "attribute_not_exists(pk)",
      },
      () => new BotExistsError(`store: bot ${bot.name} exists`),
    );
  }

  /** The bot named `name`, if any. */
  async getBot(name: string): Promise<Bot | undefined> {
    const item = await this.#table.getItem("getBot", botKey(name));
    return item === undefined ? undefined : fromBotItem(item);
  }

  /** Every bot, by name (read from an index: eventually consistent). */
  async listBots(): Promise<Bot[]> {
    const items = await this.#queryCollection("listBots", BOTS_COLLECTION, undefined);
    return items.map((item) => fromBotItem(item));
  }

  /** Delete a bot with its join tokens and bot instances (see `deleteBotAndRecords`); `BotNotFoundError` if there is none. */
  async deleteBot(name: string): Promise<Bot> {
    const item = await this.#table.getItem("deleteBot", botKey(name));
    if (item === undefined) throw new BotNotFoundError(`store: no bot ${name}`);
    const bot = fromBotItem(item);
    await deleteBotAndRecords(this.#table, bot);
    return bot;
  }

  /** The live bots a list of bound records is checked against: the one named, or all. */
  async #liveBots(botName: string | undefined): Promise<Bot[]> {
    if (botName === undefined) return this.listBots();
    const bot = await this.getBot(botName);
    return bot === undefined ? [] : [bot];
  }

  /** Set or clear the bot's lock; `BotNotFoundError` if there is none. */
  async setBotLock(name: string, lock: Lock | undefined): Promise<Bot> {
    const item = await this.#table.update(
      "setBotLock",
      { Key: botKey(name), ...lockUpdate(lock), ConditionExpression: "attribute_exists(pk)", ExpressionAttributeNames: { "#lock": "lock" } },
      () => new BotNotFoundError(`store: no bot ${name}`),
    );
    return fromBotItem(item);
  }

  /** Store a join token; `StoreConflictError` if a live token has the same hash. */
  async createJoinToken(token: JoinToken): Promise<void> {
    await this.#table.put(
      "createJoinToken",
      {
        Item: joinTokenItem(token),
        ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
        ExpressionAttributeValues: { ":now": this.#now() },
      },
      () => new StoreConflictError("store: a join token with this hash exists"),
    );
  }

  /** The live token with this hash, if any. */
  async getJoinToken(tokenHash: string): Promise<JoinToken | undefined> {
    const item = await this.#table.getItem("getJoinToken", joinTokenKey(tokenHash));
    if (item === undefined) return undefined;
    const token = fromItem<JoinToken>(item);
    return isJoinTokenLive(token, this.#now()) ? token : undefined;
  }

  /** Live tokens bound to a live bot, of one bot or all (read from an index: eventually consistent). */
  async listJoinTokens(botName?: string): Promise<JoinToken[]> {
    const now = this.#now();
    const [items, bots] = await Promise.all([
      this.#queryCollection("listJoinTokens", TOKENS_COLLECTION, botName),
      this.#liveBots(botName),
    ]);
    const live = items
      .map((item) => fromItem<JoinToken>(item))
      .filter((token) => isJoinTokenLive(token, now) && (botName === undefined || token.botName === botName));
    return boundToLiveBots(live, bots);
  }

  /** Spend one use of the token and create the instance in one transaction (see `redeemJoinTokenItem`). */
  redeemJoinToken(tokenHash: string, now: number, instance: BotInstance): Promise<JoinToken> {
    return redeemJoinTokenItem(this.#table, { tokenHash, now, clockNow: this.#now(), instance });
  }

  /** Set or clear a token's lock; `JoinTokenInvalidError` if there is no live token. */
  async setJoinTokenLock(tokenHash: string, lock: Lock | undefined): Promise<void> {
    const change = lockUpdate(lock);
    await this.#table.update(
      "setJoinTokenLock",
      {
        Key: joinTokenKey(tokenHash),
        UpdateExpression: change.UpdateExpression,
        ConditionExpression: "attribute_exists(pk) AND expiresAt > :now",
        ExpressionAttributeNames: { "#lock": "lock" },
        ExpressionAttributeValues: { ...change.ExpressionAttributeValues, ":now": this.#now() },
      },
      () => new JoinTokenInvalidError("store: join token invalid"),
    );
  }

  /** Delete a token; deleting one that is not there is not an error. */
  async deleteJoinToken(tokenHash: string): Promise<void> {
    await this.#table.delete("deleteJoinToken", { Key: joinTokenKey(tokenHash) });
  }

  /** Join a platform-proved instance with its single-use records (one transaction); see `BotInstanceStore`. */
  async createBotInstance(instance: BotInstance, claims: readonly ReplayClaim[] = []): Promise<void> {
    if (claims.length > 0) return createBotInstanceWithClaims(this.#table, instance, claims, this.#now());
    await this.#table.put("createBotInstance", botInstancePut(instance, this.#now()), () => new StoreConflictError(`store: bot instance ${instance.id} exists`));
  }

  /** The live instance with this id, if any. */
  async getBotInstance(id: string): Promise<BotInstance | undefined> {
    const item = await this.#table.getItem("getBotInstance", botInstanceKey(id));
    if (item === undefined) return undefined;
    const instance = fromItem<BotInstance>(item);
    return isBotInstanceLive(instance, this.#now()) ? instance : undefined;
  }

  /** Live instances bound to a live bot, of one bot or all (read from an index: eventually consistent). */
  async listBotInstances(botName?: string): Promise<BotInstance[]> {
    const now = this.#now();
    const [items, bots] = await Promise.all([
      this.#queryCollection("listBotInstances", INSTANCES_COLLECTION, botName),
      this.#liveBots(botName),
    ]);
    const live = items
      .map((item) => fromItem<BotInstance>(item))
      .filter((instance) => isBotInstanceLive(instance, now) && (botName === undefined || instance.botName === botName));
    return boundToLiveBots(live, bots);
  }

  /** Move the instance's generation with a conditional update (see `BotInstanceStore`). */
  async advanceGeneration(
    id: string,
    expectedGeneration: number,
    update: { renewedAt: number; expiresAt: number; credentialHash: string },
  ): Promise<BotInstance> {
    const current = await this.getBotInstance(id);
    const refusal = generationRefusal(id, current, expectedGeneration);
    if (refusal !== undefined) throw refusal;
    if (current === undefined) throw new BotInstanceNotFoundError(`store: no bot instance ${id}`);
    const retired = retiredAfterRenewal(current);
    const item = await this.#table.update(
      "advanceGeneration",
      {
        Key: botInstanceKey(id),
        UpdateExpression:
          "SET generation = :next, renewedAt = :renewedAt, expiresAt = :expiresAt, credentialHash = :hash, " +
          "retiredCredentialHashes = :retired, #ttl = :ttl",
        ConditionExpression: `${LIVE_INSTANCE} AND generation = :expected AND credentialHash = :oldHash AND attribute_not_exists(#lock)`,
        ExpressionAttributeNames: { "#lock": "lock", "#ttl": TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ":cutoff": this.#now() - BOT_INSTANCE_RETENTION_MS,
          ":expected": expectedGeneration,
          ":oldHash": current.credentialHash,
          ":next": expectedGeneration + 1,
          ":renewedAt": update.renewedAt,
          ":expiresAt": update.expiresAt,
          ":hash": update.credentialHash,
          ":retired": retired,
          ":ttl": ttlSeconds(update.expiresAt + BOT_INSTANCE_RETENTION_MS),
        },
      },
      async () =>
        generationRefusal(id, await this.getBotInstance(id), expectedGeneration) ??
        new StoreConflictError(`store: bot instance ${id} changed concurrently`),
    );
    return fromItem<BotInstance>(item);
  }

  /** Set or clear an instance's lock; `BotInstanceNotFoundError` if there is none. */
  async setBotInstanceLock(id: string, lock: Lock | undefined): Promise<BotInstance> {
    const change = lockUpdate(lock);
    const item = await this.#table.update(
      "setBotInstanceLock",
      {
        Key: botInstanceKey(id),
        UpdateExpression: change.UpdateExpression,
        ConditionExpression: LIVE_INSTANCE,
        ExpressionAttributeNames: { "#lock": "lock" },
        ExpressionAttributeValues: { ...change.ExpressionAttributeValues, ":cutoff": this.#now() - BOT_INSTANCE_RETENTION_MS },
      },
      () => new BotInstanceNotFoundError(`store: no bot instance ${id}`),
    );
    return fromItem<BotInstance>(item);
  }

  /** Record a single-use value; a stored record that has expired (TTL not yet run) counts as free. */
  async claimOnce(namespace: string, key: string, expiresAt: number, now: number): Promise<void> {
    await this.#table.put("claimOnce", replayPut({ namespace, key, expiresAt, now }), () => new ReplayError("store: value already used"));
  }

  /** True when a single-use value is recorded and unexpired (an expired record TTL has not removed yet is not). */
  async isClaimed(namespace: string, key: string, now: number): Promise<boolean> {
    const item = await this.#table.getItem("isClaimed", replayKey(namespace, key));
    return item !== undefined && (item.expiresAt as number) > now;
  }

  /** The rotation journal of one key kind, if any. */
  async getJournal(kind: JournalKind): Promise<CaJournal | undefined> {
    const item = await this.#table.getItem("getJournal", journalKey(kind));
    return item === undefined ? undefined : fromItem<CaJournal>(item);
  }

  /** Replace the journal if its stored version is `expectedVersion`; `JournalConflictError` otherwise. */
  async putJournal(journal: CaJournal, expectedVersion: number): Promise<void> {
    assertJournalVersion(journal, expectedVersion);
    const condition: Pick<PutCommandInput, "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"> =
      expectedVersion === 0
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : {
            ConditionExpression: "#version = :expected",
            ExpressionAttributeNames: { "#version": "version" },
            ExpressionAttributeValues: { ":expected": expectedVersion },
          };
    await this.#table.put(
      "putJournal",
      { Item: toItem(journal, journalKey(journal.kind)), ...condition },
      () => new JournalConflictError(`store: ${journal.kind} journal is not at version ${expectedVersion}`),
    );
  }

  /** Append an audit event; `StoreConflictError` if that event is stored already. */
  async appendAudit(event: AuditEvent): Promise<void> {
    assertAuditEvent(event);
    await this.#table.put(
      "appendAudit",
      { Item: auditItem(event, this.#auditRetentionMs), ConditionExpression: "attribute_not_exists(pk)" },
      () => new StoreConflictError(`store: audit event ${event.id} exists`),
    );
  }

  /** Events matching `filter`, newest first, within the retention window. */
  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const run = (query: AuditQuery, want: number): Promise<Item[]> => this.#table.query("listAudit", query, want);
    return listAuditEvents(run, filter, { now: this.#now(), retentionMs: this.#auditRetentionMs });
  }

  /** Nothing to release: the client belongs to the caller. */
  async close(): Promise<void> {}
}
