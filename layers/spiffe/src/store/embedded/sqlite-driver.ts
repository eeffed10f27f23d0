import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";

/** A prepared statement: the part of better-sqlite3's `Statement` the embedded store uses. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** An open SQLite database: the part of better-sqlite3's `Database` the embedded store uses. */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): void;
}

type SqliteConstructor = new (path: string) => SqliteDatabase;

/**
 * Open the SQLite file at `path` (created 0600 when missing: SQLite gives its `-wal` and `-shm`
 * files the same mode) in WAL mode with `synchronous=NORMAL`: a commit returns once it is written
 * to the log, not synced; whoever commits makes it durable with `WalSync` before relying on it.
 * The driver is loaded here, at the first open, and never bundled.
 */
export function openSqliteFile(path: string): SqliteDatabase {
  closeSync(openSync(path, "a", 0o600));
  const Database = createRequire(import.meta.url)("better-sqlite3") as SqliteConstructor;
  const db = new Database(path);
  try {
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal") throw new Error(`journal_mode is ${String(mode)}, not wal`);
    db.pragma("synchronous = NORMAL");
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
