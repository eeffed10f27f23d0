import type { RecordTableName } from "./schema.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

/** The columns a record is queried by, besides its key. */
export interface RecordColumns {
  botId?: string;
  botName?: string;
  expiresAt?: number;
}

interface RecordRow {
  record: string;
}

function parseRows<T>(rows: unknown[]): T[] {
  return (rows as RecordRow[]).map((row) => JSON.parse(row.record) as T);
}

/**
 * One table of JSON records by key. Records are stored and returned as JSON, so every read is a
 * fresh copy (what `copyRecord` gives the other store). Calls run inside the store's transaction.
 */
export class RecordTable<T> {
  readonly #columnsOf: (record: T) => RecordColumns;
  readonly #get: SqliteStatement;
  readonly #put: SqliteStatement;
  readonly #delete: SqliteStatement;
  readonly #list: SqliteStatement;
  readonly #listOfBot: SqliteStatement;
  readonly #deleteOfBot: SqliteStatement;
  readonly #deleteExpired: SqliteStatement;

  constructor(db: SqliteDatabase, table: RecordTableName, columnsOf: (record: T) => RecordColumns) {
    this.#columnsOf = columnsOf;
    this.#get = db.prepare(`SELECT record FROM ${table} WHERE key = ?`);
    this.#put = db.prepare(`INSERT OR REPLACE INTO ${table} (key, bot_id, bot_name, expires_at, record) VALUES (?, ?, ?, ?, ?)`);
    this.#delete = db.prepare(`DELETE FROM ${table} WHERE key = ?`);
    this.#list = db.prepare(`SELECT record FROM ${table} ORDER BY key`);
    this.#listOfBot = db.prepare(`SELECT record FROM ${table} WHERE bot_name = ? ORDER BY key`);
    this.#deleteOfBot = db.prepare(`DELETE FROM ${table} WHERE bot_id = ?`);
    this.#deleteExpired = db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`);
  }

  /** The record stored under `key`, if any. */
  get(key: string): T | undefined {
    const row = this.#get.get(key) as RecordRow | undefined;
    return row === undefined ? undefined : (JSON.parse(row.record) as T);
  }

  /** Store `record` under `key`, replacing what was there. */
  put(key: string, record: T): void {
    const { botId, botName, expiresAt } = this.#columnsOf(record);
    this.#put.run(key, botId ?? null, botName ?? null, expiresAt ?? null, JSON.stringify(record));
  }

  /** Delete the record under `key`; true when there was one. */
  delete(key: string): boolean {
    return this.#delete.run(key).changes > 0;
  }

  /** Every record by key, or those of the bot named `botName`. */
  list(botName?: string): T[] {
    return parseRows<T>(botName === undefined ? this.#list.all() : this.#listOfBot.all(botName));
  }

  /** Delete every record bound to the bot with id `botId`. */
  deleteOfBot(botId: string): void {
    this.#deleteOfBot.run(botId);
  }

  /** Delete every record whose `expiresAt` column is at or before `cutoff`. */
  deleteExpired(cutoff: number): void {
    this.#deleteExpired.run(cutoff);
  }
}
