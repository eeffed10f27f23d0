import { open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { syncDirectory } from "../../files/index.js";

/**
 * Flushes a SQLite database's write-ahead log (`<database>-wal`) to disk with fsync, in libuv's
 * thread pool, so the event loop keeps serving while the disk works. The database runs with
 * `synchronous=NORMAL` (its commits write the log without syncing it); a commit is durable once a
 * `sync` that started after it has resolved, as SQLite's own `FULL` would have made it inside the
 * commit. The first sync also flushes the directory, which holds the log's new entry.
 */
export class WalSync {
  readonly #walPath: string;
  #wal: Promise<FileHandle> | undefined;

  constructor(databasePath: string) {
    this.#walPath = `${databasePath}-wal`;
  }

  /** Flush everything written to the log so far; rejects if the disk refused it. */
  async sync(): Promise<void> {
    if (this.#wal === undefined) {
      this.#wal = open(this.#walPath, "r+");
      await (await this.#wal).sync();
      await syncDirectory(dirname(this.#walPath));
      return;
    }
    await (await this.#wal).sync();
  }

  /** Close the log's file handle (before or after the database closes); idempotent. */
  async close(): Promise<void> {
    const wal = this.#wal;
    this.#wal = undefined;
    if (wal !== undefined) await (await wal).close();
  }
}
