import type { UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../../clock.js";
import { BotExistsError, BotNotFoundError } from "../../errors.js";
import { boundToLiveBots, copyRecord } from "../record-rules.js";
import type { Bot, BotStore, Lock } from "../types.js";
import { deleteBotAndRecords } from "./bot-deletion.js";
import { BOTS_COLLECTION, botItem, botKey, botPrefix, fromBotItem, fromItem, type Item, type ItemKey } from "./items.js";
import type { TableClient } from "./table-client.js";
import { GSI1_NAME } from "./table-schema.js";

/** The update expression that sets or clears (`undefined`) a record's lock (`#lock` names the attribute). */
export function lockUpdate(lock: Lock | undefined): Pick<UpdateCommandInput, "UpdateExpression" | "ExpressionAttributeValues"> {
  return lock === undefined
    ? { UpdateExpression: "REMOVE #lock" }
    : { UpdateExpression: "SET #lock = :lock", ExpressionAttributeValues: { ":lock": copyRecord(lock) } };
}

/** One gsi1 collection (bots, tokens or instances), of one bot or all (eventually consistent). */
export async function queryCollection(
  table: TableClient,
  operation: string,
  collection: string,
  botName: string | undefined,
): Promise<Item[]> {
  const values: Record<string, unknown> = { ":collection": collection };
  let condition = "gsi1pk = :collection";
  if (botName !== undefined) {
    condition += " AND begins_with(gsi1sk, :prefix)";
    values[":prefix"] = botPrefix(botName);
  }
  return table.query(operation, { IndexName: GSI1_NAME, KeyConditionExpression: condition, ExpressionAttributeValues: values });
}

/** A bound record kind (join tokens, bot instances): its gsi1 collection and when a record is live at `now`. */
export interface BoundKind<T> {
  collection: string;
  isLive: (record: T, now: number) => boolean;
}

/** The record under `key` if it is live at `now` (TTL deletion is lazy). */
export async function getLive<T>(
  table: TableClient,
  operation: string,
  key: ItemKey,
  kind: BoundKind<T>,
  now: number,
): Promise<T | undefined> {
  const item = await table.getItem(operation, key);
  if (item === undefined) return undefined;
  const record = fromItem<T>(item);
  return kind.isLive(record, now) ? record : undefined;
}

/** Bots in the store's table: `BOT#<name>` / `BOT`, listed through gsi1 (`BOTS`). */
export class DynamoDbBots implements BotStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
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
    const items = await queryCollection(this.#table, "listBots", BOTS_COLLECTION, undefined);
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

  /** The live records of `kind` bound to a live bot, of the bot named or all (read from an index: eventually consistent). */
  async listLiveBound<T extends { botId: string; botName: string }>(
    operation: string,
    kind: BoundKind<T>,
    botName: string | undefined,
    now: number,
  ): Promise<T[]> {
    const [items, bots] = await Promise.all([queryCollection(this.#table, operation, kind.collection, botName), this.#liveBots(botName)]);
    const live = items
      .map((item) => fromItem<T>(item))
      .filter((record) => kind.isLive(record, now) && (botName === undefined || record.botName === botName));
    return boundToLiveBots(live, bots);
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
      {
        Key: botKey(name),
        ...lockUpdate(lock),
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#lock": "lock" },
      },
      () => new BotNotFoundError(`store: no bot ${name}`),
    );
    return fromBotItem(item);
  }
}

/** What the kinds bound to a bot (join tokens, bot instances) share: the table, the bots, the store's clock. */
export abstract class BoundRecords {
  protected readonly table: TableClient;
  protected readonly bots: DynamoDbBots;
  readonly #clock: Clock;

  constructor(table: TableClient, bots: DynamoDbBots, clock: Clock) {
    this.table = table;
    this.bots = bots;
    this.#clock = clock;
  }

  /** The store clock's time, epoch ms. */
  protected now(): number {
    return this.#clock.now().getTime();
  }
}
