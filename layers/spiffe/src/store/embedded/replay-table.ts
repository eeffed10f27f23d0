import { ReplayError } from "../../errors.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

/** The embedded store's single-use records, by namespace and key; calls run inside the store's transaction. */
export class ReplayTable {
  readonly #expiry: SqliteStatement;
  readonly #record: SqliteStatement;
  readonly #prune: SqliteStatement;

  constructor(db: SqliteDatabase) {
    this.#expiry = db.prepare("SELECT expires_at AS expiresAt FROM replay WHERE namespace = ? AND key = ?");
    this.#record = db.prepare("INSERT OR REPLACE INTO replay (namespace, key, expires_at) VALUES (?, ?, ?)");
    this.#prune = db.prepare("DELETE FROM replay WHERE expires_at <= ?");
  }

  /** True when `key` is recorded in `namespace` and unexpired at `now`. */
  isClaimed(namespace: string, key: string, now: number): boolean {
    const row = this.#expiry.get(namespace, key) as { expiresAt: number } | undefined;
    return (row?.expiresAt ?? 0) > now;
  }

  /** `ReplayError` while an earlier record of `key` in `namespace` is unexpired at `now`. */
  assertUnclaimed(namespace: string, key: string, now: number): void {
    if (this.isClaimed(namespace, key, now)) throw new ReplayError("store: value already used");
  }

  /** Record `key` in `namespace` until `expiresAt` (check `assertUnclaimed` first). */
  record(namespace: string, key: string, expiresAt: number): void {
    this.#record.run(namespace, key, expiresAt);
  }

  /** Forget every record expired at `now`. */
  prune(now: number): void {
    this.#prune.run(now);
  }
}
