import type { PutCommandInput } from "@aws-sdk/lib-dynamodb";
import { ReplayError, StoreConflictError } from "../../errors.js";
import { BOT_INSTANCE_RETENTION_MS } from "../record-rules.js";
import type { BotInstance, ReplayClaim } from "../types.js";
import { botInstanceItem, replayKey, ttlSeconds } from "./items.js";
import type { TableClient } from "./table-client.js";
import { TTL_ATTRIBUTE } from "./table-schema.js";

/** Transactions lost to a concurrent one before giving up (the loser of a race learns it on the next try). */
const ATTEMPTS = 5;

type Put = Omit<PutCommandInput, "TableName">;

/** The conditional put of a single-use record: free when absent or expired (TTL not yet run). */
export function replayPut(claim: ReplayClaim): Put {
  return {
    Item: {
      ...replayKey(claim.namespace, claim.key),
      namespace: claim.namespace,
      key: claim.key,
      expiresAt: claim.expiresAt,
      [TTL_ATTRIBUTE]: ttlSeconds(claim.expiresAt),
    },
    ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
    ExpressionAttributeValues: { ":now": claim.now },
  };
}

/** The conditional put of a new bot instance: its id must be free (or an instance long expired). */
export function botInstancePut(instance: BotInstance, clockNow: number): Put {
  return {
    Item: botInstanceItem(instance),
    ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :cutoff",
    ExpressionAttributeValues: { ":cutoff": clockNow - BOT_INSTANCE_RETENTION_MS },
  };
}

/**
 * Put a bot instance and its single-use records in one transaction: both or neither, so of two
 * joins racing for one claim exactly one creates its instance. `ReplayError` for a taken claim,
 * `StoreConflictError` for a taken instance id or a transaction that keeps colliding.
 */
export async function createBotInstanceWithClaims(
  table: TableClient,
  instance: BotInstance,
  claims: readonly ReplayClaim[],
  clockNow: number,
): Promise<void> {
  const actions = [botInstancePut(instance, clockNow), ...claims.map(replayPut)].map((put) => ({
    Put: { TableName: table.table, ...put },
  }));
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const codes = await table.transact("createBotInstance", actions);
    if (codes === undefined) return;
    if (codes[0] === "ConditionalCheckFailed") throw new StoreConflictError(`store: bot instance ${instance.id} exists`);
    if (codes.slice(1).includes("ConditionalCheckFailed")) throw new ReplayError("store: value already used");
    // TransactionConflict: a concurrent join touched the same record; the next attempt sees who won.
  }
  throw new StoreConflictError("store: createBotInstance kept colliding with concurrent joins");
}
