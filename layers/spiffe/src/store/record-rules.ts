import { BotInstanceNotFoundError, BotLockedError, GenerationMismatchError } from "../errors.js";
import {
  RETIRED_CREDENTIALS_KEPT,
  type AuditEvent,
  type AuditFilter,
  type Bot,
  type BotInstance,
  type CaJournal,
  type JoinToken,
  type Lock,
} from "./types.js";

/** How long a bot instance outlives its credential's expiry before every store forgets it (7 days). */
export const BOT_INSTANCE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** How many audit events `listAudit` returns when the filter sets no limit. */
export const DEFAULT_AUDIT_LIMIT = 100;

/** How long both stores keep audit events when their options name no retention. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The audit retention of `days` (default `DEFAULT_AUDIT_RETENTION_DAYS`) in ms; `TypeError` unless a positive integer. */
export function auditRetentionMsOf(days: number = DEFAULT_AUDIT_RETENTION_DAYS): number {
  if (!Number.isSafeInteger(days) || days < 1) throw new TypeError("store: auditRetentionDays must be a positive integer");
  return days * DAY_MS;
}

/** Latest audit time a store accepts (exclusive): keeps sort keys of fixed width. */
export const AUDIT_TIME_LIMIT = 10 ** 15;

/** Whether a join token still exists at `now`: expired tokens are gone, whether or not yet deleted. */
export function isJoinTokenLive(token: Pick<JoinToken, "expiresAt">, now: number): boolean {
  return token.expiresAt > now;
}

/** Whether a bot instance still exists at `now` (until `BOT_INSTANCE_RETENTION_MS` after its credential expires). */
export function isBotInstanceLive(instance: Pick<BotInstance, "expiresAt">, now: number): boolean {
  return instance.expiresAt + BOT_INSTANCE_RETENTION_MS > now;
}

/**
 * The id of a bot stored before bots had ids. Derived from its creation time, so every reader
 * and every restart agree on it, and a bot re-created under the same name never shares it.
 */
export function legacyBotId(createdAt: number): string {
  return `legacy-${createdAt}`;
}

/** The creation time a `legacyBotId` was derived from; undefined for any other id. */
export function legacyBotCreatedAt(botId: string): number | undefined {
  const match = /^legacy-(\d{1,16})$/.exec(botId);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Whether `record` (a join token or bot instance) belongs to `bot`: same name and same id. A
 * record whose bot was deleted, or that was stored with no bot id, belongs to no bot at all.
 */
export function isBoundToBot<B extends Pick<Bot, "id" | "name">>(
  bot: B | undefined,
  record: Pick<JoinToken | BotInstance, "botId" | "botName">,
): bot is B {
  if (bot === undefined || typeof bot.id !== "string" || bot.id === "") return false;
  return record.botId === bot.id && record.botName === bot.name;
}

/** The records bound to one of `bots` (the live bots): what a list shows. */
export function boundToLiveBots<T extends Pick<JoinToken | BotInstance, "botId" | "botName">>(
  records: T[],
  bots: Pick<Bot, "id" | "name">[],
): T[] {
  const byName = new Map(bots.map((bot) => [bot.name, bot]));
  return records.filter((record) => isBoundToBot(byName.get(record.botName), record));
}

/** A deep copy holding only what JSON keeps: both stores store and return records in this form. */
export function copyRecord<T>(record: T): T {
  return JSON.parse(JSON.stringify(record)) as T;
}

/** Throw `TypeError` unless `journal.version` follows `expectedVersion`. */
export function assertJournalVersion(journal: CaJournal, expectedVersion: number): void {
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw new TypeError(`store: expectedVersion must be a non-negative integer, got ${expectedVersion}`);
  }
  if (journal.version !== expectedVersion + 1) {
    throw new TypeError(`store: journal version must be ${expectedVersion + 1}, got ${journal.version}`);
  }
}

/** Throw `TypeError` unless the event has an id and a time sortable by every store. */
export function assertAuditEvent(event: AuditEvent): void {
  if (typeof event.id !== "string" || event.id === "") throw new TypeError("store: audit event needs an id");
  if (!Number.isSafeInteger(event.time) || event.time < 0 || event.time >= AUDIT_TIME_LIMIT) {
    throw new TypeError(`store: audit event time out of range: ${event.time}`);
  }
}

/** The number of events a filter asks for; `TypeError` for a negative or fractional limit. */
export function auditLimitOf(filter: AuditFilter): number {
  const limit = filter.limit ?? DEFAULT_AUDIT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`store: audit limit must be a non-negative integer`);
  return limit;
}

/** Newest first; among events of one millisecond, the greater id first. */
export function compareAuditNewestFirst(a: AuditEvent, b: AuditEvent): number {
  if (a.time !== b.time) return b.time - a.time;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Why `advanceGeneration` must refuse this instance, or undefined if it may move it. */
export function generationRefusal(id: string, instance: BotInstance | undefined, expected: number): Error | undefined {
  if (instance === undefined) return new BotInstanceNotFoundError(`store: no bot instance ${id}`);
  if (instance.lock !== undefined) return new BotLockedError(`store: bot instance ${id} is locked`);
  if (instance.generation !== expected) {
    return new GenerationMismatchError(`store: bot instance ${id} is not at generation ${expected}`);
  }
  return undefined;
}

/** The instance's retired credential hashes once its current credential is replaced: newest first, at most `RETIRED_CREDENTIALS_KEPT`. */
export function retiredAfterRenewal(instance: Pick<BotInstance, "credentialHash" | "retiredCredentialHashes">): string[] {
  return [instance.credentialHash, ...instance.retiredCredentialHashes].slice(0, RETIRED_CREDENTIALS_KEPT);
}

/** A copy of `record` with its lock set to `lock`, or cleared when `lock` is undefined. */
export function withLock<T extends { lock?: Lock }>(record: T, lock: Lock | undefined): T {
  const updated = { ...record };
  delete updated.lock;
  if (lock !== undefined) updated.lock = copyRecord(lock);
  return updated;
}
