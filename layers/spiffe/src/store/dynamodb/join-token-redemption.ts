import { JoinTokenInvalidError, JoinTokenUsedError, StoreConflictError } from "../../errors.js";
import { BOT_INSTANCE_RETENTION_MS, isJoinTokenLive } from "../record-rules.js";
import type { BotInstance, JoinToken } from "../types.js";
import { botBindingCondition, botInstanceItem, botKey, fromItem, joinTokenKey } from "./items.js";
import type { TableClient, TransactActions } from "./table-client.js";

/** Redemption attempts before giving up on a token that keeps changing under us. */
const REDEEM_ATTEMPTS = 10;
const REDEEMABLE_TOKEN = "attribute_exists(pk) AND expiresAt > :now AND attribute_not_exists(#lock)";

/** What `redeemJoinTokenItem` needs: the token, the caller's `now`, the store clock's, and the instance to create. */
export interface Redemption {
  tokenHash: string;
  now: number;
  clockNow: number;
  instance: BotInstance;
}

/** Spend the token, put the instance, and check that the token's bot is still the one it is bound to. */
function redeemActions(table: TableClient, token: JoinToken, { now, clockNow, instance }: Redemption): TransactActions {
  const key = joinTokenKey(token.tokenHash);
  const names = { "#lock": "lock" };
  const tokenAction =
    token.usesRemaining > 1
      ? {
          Update: {
            TableName: table.table,
            Key: key,
            UpdateExpression: "SET usesRemaining = usesRemaining - :one",
            ConditionExpression: `${REDEEMABLE_TOKEN} AND usesRemaining > :one`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ":now": now, ":one": 1 },
          },
        }
      : {
          Delete: {
            TableName: table.table,
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
        TableName: table.table,
        Item: botInstanceItem(instance),
        ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :cutoff",
        ExpressionAttributeValues: { ":cutoff": clockNow - BOT_INSTANCE_RETENTION_MS },
      },
    },
    { ConditionCheck: { TableName: table.table, Key: botKey(token.botName), ...botBindingCondition(token.botId) } },
  ];
}

/**
 * Spend one use of a join token and put the bot instance in one transaction that also checks the
 * token's bot still exists with the token's bot id (see `JoinTokenStore.redeemJoinToken`). A
 * collision with another join re-reads the token and tries again.
 */
export async function redeemJoinTokenItem(table: TableClient, redemption: Redemption): Promise<JoinToken> {
  const { tokenHash, now, instance } = redemption;
  let seen = false;
  for (let attempt = 0; attempt < REDEEM_ATTEMPTS; attempt++) {
    const item = await table.getItem("redeemJoinToken", joinTokenKey(tokenHash));
    if (item === undefined) {
      throw seen ? new JoinTokenUsedError("store: join token used up") : new JoinTokenInvalidError("store: join token invalid");
    }
    const token = fromItem<JoinToken>(item);
    const unbound = typeof token.botId !== "string" || token.botId === "" || token.botId !== instance.botId;
    if (!isJoinTokenLive(token, now) || token.lock !== undefined || unbound || token.botName !== instance.botName) {
      throw new JoinTokenInvalidError("store: join token invalid");
    }
    if (token.usesRemaining < 1) throw new JoinTokenUsedError("store: join token used up");
    seen = true;
    const codes = await table.transact("redeemJoinToken", redeemActions(table, token, redemption));
    if (codes === undefined) return { ...token, usesRemaining: token.usesRemaining - 1 };
    if (codes[2] === "ConditionalCheckFailed") throw new JoinTokenInvalidError("store: join token invalid");
    if (codes[1] === "ConditionalCheckFailed" && codes[0] !== "ConditionalCheckFailed") {
      throw new StoreConflictError(`store: bot instance ${instance.id} exists`);
    }
    // The token changed under us (another join spent a use) or the transaction collided: look again.
  }
  throw new StoreConflictError("store: join token kept changing; try again");
}
