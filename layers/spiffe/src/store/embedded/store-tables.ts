import { BOT_INSTANCE_RETENTION_MS } from "../record-rules.js";
import type { Bot, BotInstance, CaJournal, JoinToken } from "../types.js";
import { AuditTable } from "./audit-table.js";
import { RecordTable } from "./record-table.js";
import { ReplayTable } from "./replay-table.js";
import { RevocationTable, type RevocationCalls } from "./revocation-table.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/** Every table of the embedded store, each with its statements prepared. */
export interface StoreTables {
  bots: RecordTable<Bot>;
  tokens: RecordTable<JoinToken>;
  instances: RecordTable<BotInstance>;
  journals: RecordTable<CaJournal>;
  replay: ReplayTable;
  audit: AuditTable;
  revocations: RevocationTable;
}

/** Prepare the tables of `db`; revocation calls run through `calls`. */
export function createStoreTables(db: SqliteDatabase, calls: RevocationCalls): StoreTables {
  return {
    bots: new RecordTable<Bot>(db, "bots", (bot) => ({ botId: bot.id, botName: bot.name })),
    tokens: new RecordTable<JoinToken>(db, "join_tokens", (token) => ({
      botId: token.botId,
      botName: token.botName,
      expiresAt: token.expiresAt,
    })),
    // An instance is kept BOT_INSTANCE_RETENTION_MS past its credential's expiry (`isBotInstanceLive`).
    instances: new RecordTable<BotInstance>(db, "bot_instances", (instance) => ({
      botId: instance.botId,
      botName: instance.botName,
      expiresAt: instance.expiresAt + BOT_INSTANCE_RETENTION_MS,
    })),
    journals: new RecordTable<CaJournal>(db, "journals", () => ({})),
    replay: new ReplayTable(db),
    audit: new AuditTable(db),
    revocations: new RevocationTable(db, calls),
  };
}

/** Forget the join tokens, bot instances and replay records that are gone at `now`. */
export function pruneExpired(tables: StoreTables, now: number): void {
  tables.tokens.deleteExpired(now);
  tables.instances.deleteExpired(now);
  tables.replay.prune(now);
}
