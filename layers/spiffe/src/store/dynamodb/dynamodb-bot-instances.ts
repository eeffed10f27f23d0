import { BotInstanceNotFoundError, StoreConflictError } from "../../errors.js";
import { BOT_INSTANCE_RETENTION_MS, generationRefusal, isBotInstanceLive, retiredAfterRenewal } from "../record-rules.js";
import type { BotInstance, BotInstanceStore, Lock, ReplayClaim } from "../types.js";
import { botInstancePut, createBotInstanceWithClaims } from "./bot-instance-creation.js";
import { BoundRecords, getLive, lockUpdate, type BoundKind } from "./dynamodb-bots.js";
import { INSTANCES_COLLECTION, botInstanceKey, fromItem, ttlSeconds } from "./items.js";
import { TTL_ATTRIBUTE } from "./table-schema.js";

const LIVE_INSTANCE = "attribute_exists(pk) AND expiresAt > :cutoff";
const INSTANCES: BoundKind<BotInstance> = { collection: INSTANCES_COLLECTION, isLive: isBotInstanceLive };

/** Bot instances in the store's table: `INSTANCE#<id>` / `INSTANCE`, listed through gsi1 (`INSTANCES`), TTL a week after expiry. */
export class DynamoDbBotInstances extends BoundRecords implements BotInstanceStore {
  /** Join a platform-proved instance with its single-use records (one transaction); see `BotInstanceWriter`. */
  async createBotInstance(instance: BotInstance, claims: readonly ReplayClaim[] = []): Promise<void> {
    if (claims.length > 0) return createBotInstanceWithClaims(this.table, instance, claims, this.now());
    await this.table.put(
      "createBotInstance",
      botInstancePut(instance, this.now()),
      () => new StoreConflictError(`store: bot instance ${instance.id} exists`),
    );
  }

  /** The live instance with this id, if any. */
  getBotInstance(id: string): Promise<BotInstance | undefined> {
    return getLive(this.table, "getBotInstance", botInstanceKey(id), INSTANCES, this.now());
  }

  /** Live instances bound to a live bot, of one bot or all (read from an index: eventually consistent). */
  listBotInstances(botName?: string): Promise<BotInstance[]> {
    return this.bots.listLiveBound("listBotInstances", INSTANCES, botName, this.now());
  }

  /** Move the instance's generation with a conditional update (see `BotInstanceWriter`). */
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
    const item = await this.table.update(
      "advanceGeneration",
      {
        Key: botInstanceKey(id),
        UpdateExpression:
          "SET generation = :next, renewedAt = :renewedAt, expiresAt = :expiresAt, credentialHash = :hash, " +
          "retiredCredentialHashes = :retired, #ttl = :ttl",
        ConditionExpression: `${LIVE_INSTANCE} AND generation = :expected AND credentialHash = :oldHash AND attribute_not_exists(#lock)`,
        ExpressionAttributeNames: { "#lock": "lock", "#ttl": TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ":cutoff": this.now() - BOT_INSTANCE_RETENTION_MS,
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
    const item = await this.table.update(
      "setBotInstanceLock",
      {
        Key: botInstanceKey(id),
        UpdateExpression: change.UpdateExpression,
        ConditionExpression: LIVE_INSTANCE,
        ExpressionAttributeNames: { "#lock": "lock" },
        ExpressionAttributeValues: { ...change.ExpressionAttributeValues, ":cutoff": this.now() - BOT_INSTANCE_RETENTION_MS },
      },
      () => new BotInstanceNotFoundError(`store: no bot instance ${id}`),
    );
    return fromItem<BotInstance>(item);
  }
}
