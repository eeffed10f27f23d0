import type { AuditEvent, AuditFilter } from "../types.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

/**
 * How many expired events one pruning pass deletes at most: each deleted row touches five indexes,
 * and the pass runs on the event loop inside an append's transaction, so it is kept short.
 */
export const AUDIT_PRUNE_BATCH = 1000;

interface Query {
  sql: string;
  params: unknown[];
}

/** The WHERE clause and parameters for `filter` (events at or after `since`), in the store's newest-first order. */
function auditQuery(filter: AuditFilter, since: number, limit: number): Query {
  const conditions = ["time >= ?"];
  const params: unknown[] = [since];
  const equal = (column: string, value: string | undefined): void => {
    if (value === undefined) return;
    conditions.push(`${column} = ?`);
    params.push(value);
  };
  equal("bot_name", filter.botName);
  equal("spiffe_id", filter.spiffeId);
  equal("type", filter.type);
  if (filter.until !== undefined) {
    conditions.push("time < ?");
    params.push(filter.until);
  }
  if (filter.types !== undefined) {
    conditions.push(`type IN (${filter.types.map(() => "?").join(", ") || "NULL"})`);
    params.push(...filter.types);
  }
  if (filter.before !== undefined) {
    conditions.push("(time, id) < (?, ?)");
    params.push(filter.before.time, filter.before.id);
  }
  params.push(limit);
  return { sql: `SELECT record FROM audit WHERE ${conditions.join(" AND ")} ORDER BY time DESC, id DESC LIMIT ?`, params };
}

/**
 * The audit trail in SQLite: one row per event, indexed by time (then id, the cursor's order) and
 * by bot, SPIFFE ID and type, so a page reads only the rows it returns. Calls run inside the
 * store's transaction.
 */
export class AuditTable {
  readonly #db: SqliteDatabase;
  readonly #append: SqliteStatement;
  readonly #prune: SqliteStatement;
  readonly #queries = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#append = db.prepare("INSERT INTO audit (id, time, type, bot_name, spiffe_id, record) VALUES (?, ?, ?, ?, ?, ?)");
    this.#prune = db.prepare(
      `DELETE FROM audit WHERE seq IN (SELECT seq FROM audit WHERE time < ? ORDER BY time LIMIT ${AUDIT_PRUNE_BATCH})`,
    );
  }

  /**
   * Store one event; false, and nothing stored, when an event with its id is stored already (the
   * unique index on ids says so: one statement, no lookup before it).
   */
  append(event: AuditEvent): boolean {
    try {
      this.#append.run(event.id, event.time, event.type, event.botName ?? null, event.spiffeId ?? null, JSON.stringify(event));
      return true;
    } catch (err) {
      if ((err as { code?: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE") return false;
      throw err;
    }
  }

  /** At most `limit` events matching `filter` and not older than `since`, newest first. */
  list(filter: AuditFilter, since: number, limit: number): AuditEvent[] {
    const { sql, params } = auditQuery(filter, Math.max(filter.since ?? 0, since), limit);
    let statement = this.#queries.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#queries.set(sql, statement);
    }
    return (statement.all(...params) as { record: string }[]).map((row) => JSON.parse(row.record) as AuditEvent);
  }

  /** Delete up to `AUDIT_PRUNE_BATCH` events older than `cutoff`, oldest first; how many went. */
  prune(cutoff: number): number {
    return this.#prune.run(cutoff).changes;
  }
}
