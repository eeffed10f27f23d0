import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type {
  DeleteCommandInput,
  DynamoDBDocumentClient,
  PutCommandInput,
  QueryCommandInput,
  TransactWriteCommandInput,
  UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { systemClock, type Clock } from "../../clock.js";
import {
  BotExistsError,
  BotInstanceNotFoundError,
  BotNotFoundError,
  JoinTokenInvalidError,
  JoinTokenUsedError,
  JournalConflictError,
  ReplayError,
  StoreConflictError,
} from "../../errors.js";
import {
  BOT_INSTANCE_RETENTION_MS,
  assertAuditEvent,
  assertJournalVersion,
  copyRecord,
  generationRefusal,
  isBotInstanceLive,
  isJoinTokenLive,
} from "../record-rules.js";
import {
  RETIRED_CREDENTIALS_KEPT,
  type AuditEvent,
  type AuditFilter,
  type Bot,
  type BotInstance,
  type CaJournal,
  type JoinToken,
  type JournalKind,
  type Lock,
  type Store,
} from "../types.js";
import { listAuditEvents, type AuditQuery } from "./audit-query.js";
import { cancellationCodes, isConditionFailure, storeFailure } from "./failures.js";
import {
  BOTS_COLLECTION,
  INSTANCES_COLLECTION,
  TOKENS_COLLECTION,
  auditItem,
  botInstanceItem,
  botInstanceKey,
  botKey,
  botPrefix,
  fromItem,
  joinTokenItem,
  joinTokenKey,
  journalKey,
  replayKey,
  toItem,
  ttlSeconds,
  type Item,
  type ItemKey,
} from "./items.js";
import { GSI1_NAME, TTL_ATTRIBUTE } from "./table-schema.js";

/** The one DynamoDB client call the store makes. */
export type DynamoDbDocumentSender = Pick<DynamoDBDocumentClient, "send">;

/** Options of `DynamoDbStore`. */
export interface DynamoDbStoreOptions {
  /** A DynamoDB document client (lib-dynamodb), configured by the caller. */
  client: DynamoDbDocumentSender;
  tableName: string;
  /** How long audit events are kept before DynamoDB's TTL removes them. Default 365. */
  auditRetentionDays?: number;
  clock?: Clock;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Redemption attempts before giving up on a token that keeps changing under us. */
const REDEEM_ATTEMPTS = 10;

const LIVE_INSTANCE = "attribute_exists(pk) AND expiresAt > :cutoff";
const REDEEMABLE_TOKEN = "attribute_exists(pk) AND expiresAt > :now AND attribute_not_exists(#lock)";

function lockUpdate(lock: Lock | undefined): Pick<UpdateCommandInput, "UpdateExpression" | "ExpressionAttributeValues"> {
  return lock === undefined
    ? { UpdateExpression: "REMOVE #lock" }
    : { UpdateExpression: "SET #lock = :lock", ExpressionAttributeValues: { ":lock": copyRecord(lock) } };
}

/** The Tessera store over one DynamoDB table (see the module overview for the item design). */
export class DynamoDbStore implements Store {
  readonly #client: DynamoDbDocumentSender;
  readonly #table: string;
  readonly #auditRetentionMs: number;
  readonly #clock: Clock;

  constructor(options: DynamoDbStoreOptions) {
    if (typeof options.tableName !== "string" || options.tableName === "") {
      throw new TypeError("store: tableName is required");
    }
    const days = options.auditRetentionDays ?? 365;
    if (!Number.isSafeInteger(days) || days < 1) throw new TypeError("store: auditRetentionDays must be a positive integer");
    this.#client = options.client;
    this.#table = options.tableName;
    this.#auditRetentionMs = days * DAY_MS;
    this.#clock = options.clock ?? systemClock;
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  async #getItem(operation: string, key: ItemKey): Promise<Item | undefined> {
    try {
      const out = await this.#client.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }));
      return out.Item;
    } catch (err) {
      throw storeFailure(operation, err);
    }
  }

  async #put(
    operation: string,
    input: Omit<PutCommandInput, "TableName">,
    onConditionFailed: () => Error,
  ): Promise<void> {
    try {
      await this.#client.send(new PutCommand({ ...input, TableName: this.#table }));
    } catch (err) {
      if (isConditionFailure(err)) throw onConditionFailed();
      throw storeFailure(operation, err);
    }
  }

  async #update(
    operation: string,
    input: Omit<UpdateCommandInput, "TableName" | "ReturnValues">,
    onConditionFailed: () => Error | Promise<Error>,
  ): Promise<Item> {
    let attributes: Item | undefined;
    try {
      const out = await this.#client.send(
        new UpdateCommand({ ...input, TableName: this.#table, ReturnValues: "ALL_NEW" }),
      );
      attributes = out.Attributes;
    } catch (err) {
      if (isConditionFailure(err)) throw await onConditionFailed();
      throw storeFailure(operation, err);
    }
    if (attributes === undefined) throw storeFailure(operation, new Error("no attributes returned"));
    return attributes;
  }

  async #delete(
    operation: string,
    input: Omit<DeleteCommandInput, "TableName">,
    onConditionFailed?: () => Error,
  ): Promise<void> {
    try {
      await this.#client.send(new DeleteCommand({ ...input, TableName: this.#table }));
    } catch (err) {
      if (onConditionFailed !== undefined && isConditionFailure(err)) throw onConditionFailed();
      throw storeFailure(operation, err);
    }
  }

  async #query(operation: string, input: Omit<QueryCommandInput, "TableName">, want = Infinity): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandInput = { ...input, TableName: this.#table };
      if (start !== undefined) page.ExclusiveStartKey = start;
      if (Number.isFinite(want) && input.FilterExpression === undefined) page.Limit = want - items.length;
      try {
        const out = await this.#client.send(new QueryCommand(page));
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } catch (err) {
        throw storeFailure(operation, err);
      }
    } while (start !== undefined && items.length < want);
    return items;
  }

  async #queryCollection(operation: string, collection: string, botName: string | undefined): Promise<Item[]> {
    const values: Record<string, unknown> = { ":collection": collection };
    let condition = "gsi1pk = :collection";
    if (botName !== undefined) {
      condition += " AND begins_with(gsi1sk, :prefix)";
      values[":prefix"] = botPrefix(botName);
    }
    return this.#query(operation, {
      IndexName: GSI1_NAME,
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
    });
  }

  /** Create a bot; `BotExistsError` if the name is taken. */
  async createBot(bot: Bot): Promise<void> {
    await this.#put(
      "createBot",
      {
        Item: toItem(bot, botKey(bot.name), { gsi1pk: BOTS_COLLECTION, gsi1sk: bot.name }),
        ConditionExpression: "attribute_not_exists(pk)",
      },
      () => new BotExistsError(`store: bot ${bot.name} exists`),
    );
  }

  /** The bot named `name`, if any. */
  async getBot(name: string): Promise<Bot | undefined> {
    const item = await this.#getItem("getBot", botKey(name));
    return item === undefined ? undefined : fromItem<Bot>(item);
  }

  /** Every bot, by name (read from an index: eventually consistent). */
  async listBots(): Promise<Bot[]> {
    const items = await this.#queryCollection("listBots", BOTS_COLLECTION, undefined);
    return items.map((item) => fromItem<Bot>(item));
  }

  /** Delete a bot; `BotNotFoundError` if there is none. */
  async deleteBot(name: string): Promise<void> {
    await this.#delete(
      "deleteBot",
      { Key: botKey(name), ConditionExpression: "attribute_exists(pk)" },
      () => new BotNotFoundError(`store: no bot ${name}`),
    );
  }

  /** Set or clear the bot's lock; `BotNotFoundError` if there is none. */
  async setBotLock(name: string, lock: Lock | undefined): Promise<Bot> {
    const item = await this.#update(
      "setBotLock",
      { Key: botKey(name), ...lockUpdate(lock), ConditionExpression: "attribute_exists(pk)", ExpressionAttributeNames: { "#lock": "lock" } },
      () => new BotNotFoundError(`store: no bot ${name}`),
    );
    return fromItem<Bot>(item);
  }

  /** Store a join token; `StoreConflictError` if a live token has the same hash. */
  async createJoinToken(token: JoinToken): Promise<void> {
    await this.#put(
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
    const item = await this.#getItem("getJoinToken", joinTokenKey(tokenHash));
    if (item === undefined) return undefined;
    const token = fromItem<JoinToken>(item);
    return isJoinTokenLive(token, this.#now()) ? token : undefined;
  }

  /** Live tokens, of one bot or all (read from an index: eventually consistent). */
  async listJoinTokens(botName?: string): Promise<JoinToken[]> {
    const now = this.#now();
    const items = await this.#queryCollection("listJoinTokens", TOKENS_COLLECTION, botName);
    return items
      .map((item) => fromItem<JoinToken>(item))
      .filter((token) => isJoinTokenLive(token, now) && (botName === undefined || token.botName === botName));
  }

  /** Spend one use of the token and create the instance in one transaction (see `JoinTokenStore`). */
  async redeemJoinToken(tokenHash: string, now: number, instance: BotInstance): Promise<JoinToken> {
    let seen = false;
    for (let attempt = 0; attempt < REDEEM_ATTEMPTS; attempt++) {
      const item = await this.#getItem("redeemJoinToken", joinTokenKey(tokenHash));
      if (item === undefined) {
        throw seen
          ? new JoinTokenUsedError("store: join token used up")
          : new JoinTokenInvalidError("store: join token invalid");
      }
      const token = fromItem<JoinToken>(item);
      if (!isJoinTokenLive(token, now) || token.lock !== undefined || token.botName !== instance.botName) {
        throw new JoinTokenInvalidError("store: join token invalid");
      }
      if (token.usesRemaining < 1) throw new JoinTokenUsedError("store: join token used up");
      seen = true;
      const codes = await this.#transact("redeemJoinToken", this.#redeemActions(token, now, instance));
      if (codes === undefined) return { ...token, usesRemaining: token.usesRemaining - 1 };
      if (codes[1] === "ConditionalCheckFailed" && codes[0] !== "ConditionalCheckFailed") {
        throw new StoreConflictError(`store: bot instance ${instance.id} exists`);
      }
      // The token changed under us (another join spent a use) or the transaction collided: look again.
    }
    throw new StoreConflictError("store: join token kept changing; try again");
  }

  #redeemActions(token: JoinToken, now: number, instance: BotInstance): TransactWriteCommandInput["TransactItems"] {
    const key = joinTokenKey(token.tokenHash);
    const names = { "#lock": "lock" };
    const tokenAction =
      token.usesRemaining > 1
        ? {
            Update: {
              TableName: this.#table,
              Key: key,
              UpdateExpression: "SET usesRemaining = usesRemaining - :one",
              ConditionExpression: `${REDEEMABLE_TOKEN} AND usesRemaining > :one`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ":now": now, ":one": 1 },
            },
          }
        : {
            Delete: {
              TableName: this.#table,
              Key: key,
              ConditionExpression: `${REDEEMABLE_TOKEN} AND usesRemaining = :one`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ":now": now, ":one": 1 },
            },
          };
    return [
      tokenAction,
      {
        Put: {
          TableName: this.#table,
          Item: botInstanceItem(instance),
          ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :cutoff",
          ExpressionAttributeValues: { ":cutoff": this.#now() - BOT_INSTANCE_RETENTION_MS },
        },
      },
    ];
  }

  /** Run a transaction: undefined when it committed, the cancellation codes when it was cancelled. */
  async #transact(
    operation: string,
    actions: TransactWriteCommandInput["TransactItems"],
  ): Promise<(string | undefined)[] | undefined> {
    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems: actions }));
      return undefined;
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes === undefined) throw storeFailure(operation, err);
      const expected = codes.every((code) => code === undefined || ["None", "ConditionalCheckFailed", "TransactionConflict"].includes(code));
      if (!expected) throw storeFailure(operation, err);
      return codes;
    }
  }

  /** Set or clear a token's lock; `JoinTokenInvalidError` if there is no live token. */
  async setJoinTokenLock(tokenHash: string, lock: Lock | undefined): Promise<void> {
    const change = lockUpdate(lock);
    await this.#update(
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
    await this.#delete("deleteJoinToken", { Key: joinTokenKey(tokenHash) });
  }

  /** Join a platform-proved instance; `StoreConflictError` if the id exists. */
  async createBotInstance(instance: BotInstance): Promise<void> {
    await this.#put(
      "createBotInstance",
      {
        Item: botInstanceItem(instance),
        ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :cutoff",
        ExpressionAttributeValues: { ":cutoff": this.#now() - BOT_INSTANCE_RETENTION_MS },
      },
      () => new StoreConflictError(`store: bot instance ${instance.id} exists`),
    );
  }

  /** The live instance with this id, if any. */
  async getBotInstance(id: string): Promise<BotInstance | undefined> {
    const item = await this.#getItem("getBotInstance", botInstanceKey(id));
    if (item === undefined) return undefined;
    const instance = fromItem<BotInstance>(item);
    return isBotInstanceLive(instance, this.#now()) ? instance : undefined;
  }

  /** Live instances, of one bot or all (read from an index: eventually consistent). */
  async listBotInstances(botName?: string): Promise<BotInstance[]> {
    const now = this.#now();
    const items = await this.#queryCollection("listBotInstances", INSTANCES_COLLECTION, botName);
    return items
      .map((item) => fromItem<BotInstance>(item))
      .filter((instance) => isBotInstanceLive(instance, now) && (botName === undefined || instance.botName === botName));
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
    const retired = [current.credentialHash, ...current.retiredCredentialHashes].slice(0, RETIRED_CREDENTIALS_KEPT);
    const item = await this.#update(
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
    const item = await this.#update(
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
    await this.#put(
      "claimOnce",
      {
        Item: { ...replayKey(namespace, key), namespace, key, expiresAt, [TTL_ATTRIBUTE]: ttlSeconds(expiresAt) },
        ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
        ExpressionAttributeValues: { ":now": now },
      },
      () => new ReplayError("store: value already used"),
    );
  }

  /** The rotation journal of one key kind, if any. */
  async getJournal(kind: JournalKind): Promise<CaJournal | undefined> {
    const item = await this.#getItem("getJournal", journalKey(kind));
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
    await this.#put(
      "putJournal",
      { Item: toItem(journal, journalKey(journal.kind)), ...condition },
      () => new JournalConflictError(`store: ${journal.kind} journal is not at version ${expectedVersion}`),
    );
  }

  /** Append an audit event; `StoreConflictError` if that event is stored already. */
  async appendAudit(event: AuditEvent): Promise<void> {
    assertAuditEvent(event);
    await this.#put(
      "appendAudit",
      { Item: auditItem(event, this.#auditRetentionMs), ConditionExpression: "attribute_not_exists(pk)" },
      () => new StoreConflictError(`store: audit event ${event.id} exists`),
    );
  }

  /** Events matching `filter`, newest first, within the retention window. */
  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const run = (query: AuditQuery, want: number): Promise<Item[]> => this.#query("listAudit", query, want);
    return listAuditEvents(run, filter, { now: this.#now(), retentionMs: this.#auditRetentionMs });
  }

  /** Nothing to release: the client belongs to the caller. */
  async close(): Promise<void> {}
}
