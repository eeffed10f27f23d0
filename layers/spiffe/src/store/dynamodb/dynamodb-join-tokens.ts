import { JoinTokenInvalidError, StoreConflictError } from "../../errors.js";
import { isJoinTokenLive } from "../record-rules.js";
import type { BotInstance, JoinToken, JoinTokenStore, Lock } from "../types.js";
import { BoundRecords, getLive, lockUpdate, type BoundKind } from "./dynamodb-bots.js";
import { TOKENS_COLLECTION, joinTokenItem, joinTokenKey } from "./items.js";
import { redeemJoinTokenItem } from "./join-token-redemption.js";

const TOKENS: BoundKind<JoinToken> = { collection: TOKENS_COLLECTION, isLive: isJoinTokenLive };

/** Join tokens in the store's table: `TOKEN#<hash>` / `TOKEN`, listed through gsi1 (`TOKENS`), TTL at expiry. */
export class DynamoDbJoinTokens extends BoundRecords implements JoinTokenStore {
  /** Store a join token; `StoreConflictError` if a live token has the same hash. */
  async createJoinToken(token: JoinToken): Promise<void> {
    await this.table.put(
      "createJoinToken",
      {
        Item: joinTokenItem(token),
        ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
        ExpressionAttributeValues: { ":now": this.now() },
      },
      () => new StoreConflictError("store: a join token with this hash exists"),
    );
  }

  /** The live token with this hash, if any. */
  getJoinToken(tokenHash: string): Promise<JoinToken | undefined> {
    return getLive(this.table, "getJoinToken", joinTokenKey(tokenHash), TOKENS, this.now());
  }

  /** Live tokens bound to a live bot, of one bot or all (read from an index: eventually consistent). */
  listJoinTokens(botName?: string): Promise<JoinToken[]> {
    return this.bots.listLiveBound("listJoinTokens", TOKENS, botName, this.now());
  }

  /** Spend one use of the token and create the instance in one transaction (see `redeemJoinTokenItem`). */
  redeemJoinToken(tokenHash: string, now: number, instance: BotInstance): Promise<JoinToken> {
    return redeemJoinTokenItem(this.table, { tokenHash, now, clockNow: this.now(), instance });
  }

  /** Set or clear a token's lock; `JoinTokenInvalidError` if there is no live token. */
  async setJoinTokenLock(tokenHash: string, lock: Lock | undefined): Promise<void> {
    const change = lockUpdate(lock);
    await this.table.update(
      "setJoinTokenLock",
      {
        Key: joinTokenKey(tokenHash),
        UpdateExpression: change.UpdateExpression,
        ConditionExpression: "attribute_exists(pk) AND expiresAt > :now",
        ExpressionAttributeNames: { "#lock": "lock" },
        ExpressionAttributeValues: { ...change.ExpressionAttributeValues, ":now": this.now() },
      },
      () => new JoinTokenInvalidError("store: join token invalid"),
    );
  }

  /** Delete a token; deleting one that is not there is not an error. */
  async deleteJoinToken(tokenHash: string): Promise<void> {
    await this.table.delete("deleteJoinToken", { Key: joinTokenKey(tokenHash) });
  }
}
