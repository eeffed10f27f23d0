import { AUDIT_TIME_LIMIT, BOT_INSTANCE_RETENTION_MS, copyRecord, legacyBotCreatedAt, legacyBotId } from "../record-rules.js";
import type { AuditEvent, AuditEventType, Bot, BotInstance, JoinToken, JournalKind } from "../types.js";
import { TTL_ATTRIBUTE } from "./table-schema.js";

/** A primary key of the table. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** A stored item: a record's attributes plus its key and index attributes. */
export type Item = Record<string, unknown>;

const KEY_ATTRIBUTES = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", TTL_ATTRIBUTE];
const TIME_WIDTH = String(AUDIT_TIME_LIMIT - 1).length;

/** Partition of the bot collection in gsi1. */
export const BOTS_COLLECTION = "BOTS";
/** Partition of the join-token collection in gsi1. */
export const TOKENS_COLLECTION = "TOKENS";
/** Partition of the bot-instance collection in gsi1. */
export const INSTANCES_COLLECTION = "INSTANCES";

// Bot names and namespaces are free text: encode them where a `#` separates them from what follows.
function encode(text: string): string {
  return encodeURIComponent(text);
}

/** Key of a bot. */
export function botKey(name: string): ItemKey {
  return { pk: `BOT#${name}`, sk: "BOT" };
}

/** Key of a join token. */
export function joinTokenKey(tokenHash: string): ItemKey {
  return { pk: `TOKEN#${tokenHash}`, sk: "TOKEN" };
}

/** Key of a bot instance. */
export function botInstanceKey(id: string): ItemKey {
  return { pk: `INSTANCE#${id}`, sk: "INSTANCE" };
}

/** Key of a replay record. */
export function replayKey(namespace: string, key: string): ItemKey {
  return { pk: `REPLAY#${encode(namespace)}#${key}`, sk: "REPLAY" };
}

/** Key of a CA journal. */
export function journalKey(kind: JournalKind): ItemKey {
  return { pk: `JOURNAL#${kind}`, sk: "JOURNAL" };
}

/** `gsi1sk` prefix selecting one bot's records in the token and instance collections. */
export function botPrefix(botName: string): string {
  return `${encode(botName)}#`;
}

/** Sort key of an audit event (also its gsi1/gsi2 sort key): fixed-width time, then id. */
export function auditSortKey(time: number, id = ""): string {
  return `${String(time).padStart(TIME_WIDTH, "0")}${id === "" ? "" : `#${id}`}`;
}

/** The UTC month (`YYYY-MM`) an instant falls in. */
export function monthOf(time: number): string {
  return new Date(time).toISOString().slice(0, 7);
}

/** Partition of the audit events of one UTC month. */
export function auditMonthPartition(month: string): string {
  return `AUDIT#${month}`;
}

/** The UTC months from `fromTime`'s down to `toTime`'s, newest first. */
export function monthsDescending(fromTime: number, toTime: number): string[] {
  const months: string[] = [];
  const last = monthOf(toTime);
  const from = new Date(fromTime);
  for (let offset = 0; ; offset++) {
    const month = monthOf(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - offset, 1));
    if (month < last) break;
    months.push(month);
  }
  return months;
}

/** gsi1 partition of one bot's audit events. */
export function auditBotPartition(botName: string): string {
  return `AUDIT#BOT#${botName}`;
}

/** gsi2 partition of one SPIFFE ID's audit events. */
export function auditSpiffeIdPartition(spiffeId: string): string {
  return `AUDIT#SPIFFE#${spiffeId}`;
}

/** Epoch seconds for the TTL attribute, never before `ms`. */
export function ttlSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/** The item storing `record` under `key`, with extra index or TTL attributes. */
export function toItem(record: object, key: ItemKey, extra: Item = {}): Item {
  return { ...copyRecord(record), ...extra, ...key };
}

/** The record stored in `item`, without the key, index and TTL attributes. */
export function fromItem<T>(item: Item): T {
  const record: Item = { ...item };
  for (const name of KEY_ATTRIBUTES) delete record[name];
  return record as T;
}

/** The item of a bot. */
export function botItem(bot: Bot): Item {
  return toItem(bot, botKey(bot.name), { gsi1pk: BOTS_COLLECTION, gsi1sk: bot.name });
}

/** The bot stored in `item`; one stored before bots had ids gets `legacyBotId(createdAt)`. */
export function fromBotItem(item: Item): Bot {
  const bot = fromItem<Bot>(item);
  return typeof bot.id === "string" && bot.id !== "" ? bot : { ...bot, id: legacyBotId(bot.createdAt) };
}

/**
 * A condition on a bot item that holds only while it is the bot with this id: the `id` attribute,
 * or for a bot stored before ids, no `id` and the creation time its legacy id was derived from.
 */
export function botBindingCondition(botId: string): {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  return {
    ConditionExpression: "#botId = :botId OR (attribute_not_exists(#botId) AND createdAt = :legacyCreatedAt)",
    ExpressionAttributeNames: { "#botId": "id" },
    ExpressionAttributeValues: { ":botId": botId, ":legacyCreatedAt": legacyBotCreatedAt(botId) ?? -1 },
  };
}

/** The item of a join token (TTL at its expiry). */
export function joinTokenItem(token: JoinToken): Item {
  return toItem(token, joinTokenKey(token.tokenHash), {
    gsi1pk: TOKENS_COLLECTION,
    gsi1sk: `${botPrefix(token.botName)}${token.tokenHash}`,
    [TTL_ATTRIBUTE]: ttlSeconds(token.expiresAt),
  });
}

/** The item of a bot instance (TTL `BOT_INSTANCE_RETENTION_MS` after its credential expires). */
export function botInstanceItem(instance: BotInstance): Item {
  return toItem(instance, botInstanceKey(instance.id), {
    gsi1pk: INSTANCES_COLLECTION,
    gsi1sk: `${botPrefix(instance.botName)}${instance.id}`,
    [TTL_ATTRIBUTE]: ttlSeconds(instance.expiresAt + BOT_INSTANCE_RETENTION_MS),
  });
}

/**
 * Audit events left out of the SPIFFE ID index (gsi2): one per SVID issued, most of the trail's
 * writes. Each would cost a write unit and its bytes again there; a SPIFFE ID query that may
 * match them walks the month partitions instead (see `listAuditEvents`).
 */
const OUTSIDE_SPIFFE_ID_INDEX: ReadonlySet<AuditEventType> = new Set<AuditEventType>(["x509_svid", "jwt_svid"]);

/** True when events of `type` are in the SPIFFE ID index (gsi2). */
export function isInSpiffeIdIndex(type: AuditEventType): boolean {
  return !OUTSIDE_SPIFFE_ID_INDEX.has(type);
}

/** The item of an audit event (in its month's partition, indexed by bot and, but for SVIDs, by SPIFFE ID; TTL after `retentionMs`). */
export function auditItem(event: AuditEvent, retentionMs: number): Item {
  const sortKey = auditSortKey(event.time, event.id);
  const extra: Item = { [TTL_ATTRIBUTE]: ttlSeconds(event.time + retentionMs) };
  if (event.botName !== undefined) Object.assign(extra, { gsi1pk: auditBotPartition(event.botName), gsi1sk: sortKey });
  if (event.spiffeId !== undefined && isInSpiffeIdIndex(event.type)) {
    Object.assign(extra, { gsi2pk: auditSpiffeIdPartition(event.spiffeId), gsi2sk: sortKey });
  }
  return toItem(event, { pk: auditMonthPartition(monthOf(event.time)), sk: sortKey }, extra);
}
