import { BotNotFoundError, StoreConflictError } from "../../errors.js";
import type { Bot, BotInstance, JoinToken } from "../types.js";
import {
  INSTANCES_COLLECTION,
  TOKENS_COLLECTION,
  botBindingCondition,
  botInstanceKey,
  botKey,
  botPrefix,
  fromItem,
  joinTokenKey,
  type ItemKey,
} from "./items.js";
import { GSI1_NAME } from "./table-schema.js";
import type { TableClient, TransactActions } from "./table-client.js";

/** TransactWriteItems takes at most 100 actions: the bot's delete and 99 of its records. */
const RECORDS_PER_TRANSACTION = 99;
const DELETE_ATTEMPTS = 5;

/** Keys of every token and instance stored under the bot's name that is bound to it or to no bot. */
async function recordKeysOf(table: TableClient, bot: Bot): Promise<ItemKey[]> {
  const query = (collection: string) =>
    table.query("deleteBot", {
      IndexName: GSI1_NAME,
      KeyConditionExpression: "gsi1pk = :collection AND begins_with(gsi1sk, :prefix)",
      ExpressionAttributeValues: { ":collection": collection, ":prefix": botPrefix(bot.name) },
    });
  const [tokens, instances] = await Promise.all([query(TOKENS_COLLECTION), query(INSTANCES_COLLECTION)]);
  // Records with no bot id (written before ids) under this name belong to no live bot: they go too.
  const doomed = (botId: unknown) => botId === bot.id || botId === undefined;
  return [
    ...tokens
      .map((item) => fromItem<JoinToken>(item))
      .filter((t) => doomed(t.botId))
      .map((t) => joinTokenKey(t.tokenHash)),
    ...instances
      .map((item) => fromItem<BotInstance>(item))
      .filter((i) => doomed(i.botId))
      .map((i) => botInstanceKey(i.id)),
  ];
}

/**
 * Delete `bot` (as read) with its join tokens and bot instances: the bot and the first 99 records
 * in one transaction, conditional on the bot still being this one; the rest one by one after it.
 * What is left by a crash in between, or added by a join that committed first but is not in the
 * index yet, stays bound to the deleted id: refused on every use, never listed, removed by TTL.
 */
export async function deleteBotAndRecords(table: TableClient, bot: Bot): Promise<void> {
  for (let attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
    const keys = await recordKeysOf(table, bot);
    const actions: TransactActions = [
      { Delete: { TableName: table.table, Key: botKey(bot.name), ...botBindingCondition(bot.id) } },
      ...keys.slice(0, RECORDS_PER_TRANSACTION).map((Key) => ({ Delete: { TableName: table.table, Key } })),
    ];
    const codes = await table.transact("deleteBot", actions);
    if (codes === undefined) {
      for (const Key of keys.slice(RECORDS_PER_TRANSACTION)) await table.delete("deleteBot", { Key });
      return;
    }
    if (codes[0] === "ConditionalCheckFailed") throw new BotNotFoundError(`store: no bot ${bot.name}`);
    // A join or renewal touched one of the records at the same moment: read them again.
  }
  throw new StoreConflictError(`store: bot ${bot.name} kept changing; try again`);
}
