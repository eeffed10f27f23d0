import { StoreError } from "../../errors.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/** The schema version this code writes (`PRAGMA user_version`). */
const SCHEMA_VERSION = 1;

/** Tables of keyed JSON records; `bot_id`, `bot_name` and `expires_at` are copies kept for queries. */
export const RECORD_TABLES = ["bots", "join_tokens", "bot_instances", "journals", "crls"] as const;

/** The name of one table of keyed JSON records. */
export type RecordTableName = (typeof RECORD_TABLES)[number];

const recordTable = (name: RecordTableName): string => `
  CREATE TABLE ${name} (
    key TEXT PRIMARY KEY,
    bot_id TEXT,
    bot_name TEXT,
    expires_at INTEGER,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX ${name}_by_bot ON ${name} (bot_name, bot_id);
  CREATE INDEX ${name}_by_expiry ON ${name} (expires_at);`;

const SCHEMA = `
  ${RECORD_TABLES.map(recordTable).join("\n")}
  CREATE TABLE replay (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, key)
  ) WITHOUT ROWID;
  CREATE INDEX replay_by_expiry ON replay (expires_at);
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    time INTEGER NOT NULL,
    type TEXT NOT NULL,
    bot_name TEXT,
    spiffe_id TEXT,
    record TEXT NOT NULL
  );
  CREATE INDEX audit_by_time ON audit (time, id);
  CREATE INDEX audit_by_bot ON audit (bot_name, time, id);
  CREATE INDEX audit_by_spiffe_id ON audit (spiffe_id, time, id);
  CREATE INDEX audit_by_type ON audit (type, time, id);
  CREATE TABLE revocations (
    key TEXT PRIMARY KEY,
    key_thumbprint TEXT,
    expires_at INTEGER NOT NULL,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX revocations_by_thumbprint ON revocations (key_thumbprint, expires_at);
  CREATE INDEX revocations_by_expiry ON revocations (expires_at);
  CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  PRAGMA user_version = ${SCHEMA_VERSION};`;

/** Create the tables in a new database; `StoreError` for a database written by an unknown version. */
export function applySchema(db: SqliteDatabase): void {
  const version = db.pragma("user_version", { simple: true });
  if (version === SCHEMA_VERSION) return;
  if (version !== 0) throw new StoreError(`store: database schema version ${String(version)} is unknown to this Tessera`);
  db.exec(`BEGIN IMMEDIATE; ${SCHEMA} COMMIT;`);
}
