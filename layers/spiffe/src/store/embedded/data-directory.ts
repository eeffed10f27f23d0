import { chmod, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { StoreError, TesseraError } from "../../errors.js";
import { acquireDirectoryLock, type DirectoryLock } from "./directory-lock.js";
import { GroupCommit } from "./group-commit.js";
import { importLegacyFiles } from "./legacy-import.js";
import { applySchema } from "./schema.js";
import { openSqliteFile, type SqliteDatabase } from "./sqlite-driver.js";
import { createStoreTables, type StoreTables } from "./store-tables.js";
import { WalSync } from "./wal-sync.js";

/** File names inside the data directory (SQLite adds `-wal` and `-shm` files beside the database). */
export const EMBEDDED_STORE_FILES = Object.freeze({
  database: "tessera.db",
  lock: "store.lock",
});

/** An embedded store's data directory, opened and locked: what the store is built from. */
export interface OpenedDataDirectory {
  directory: string;
  lock: DirectoryLock;
  db: SqliteDatabase;
  /** Flushes the database's commits to disk (`GroupCommit` does, before answering). */
  wal: WalSync;
  commit: GroupCommit;
  tables: StoreTables;
}

/**
 * Create `directory` (mode 0700) when missing, lock it against other processes, open its database
 * (creating the tables) and import the files of a data directory written before SQLite.
 * `StoreError` when another live process holds it or it cannot be read; everything opened is
 * closed again on any failure.
 */
export async function openDataDirectory(path: string): Promise<OpenedDataDirectory> {
  const directory = resolve(path);
  try {
    const created = await mkdir(directory, { recursive: true, mode: 0o700 });
    if (created !== undefined) await chmod(directory, 0o700);
  } catch (err) {
    throw new StoreError(`store: cannot create data directory ${directory}`, { cause: err });
  }
  const lock = await acquireDirectoryLock(join(directory, EMBEDDED_STORE_FILES.lock));
  let db: SqliteDatabase | undefined;
  const databasePath = join(directory, EMBEDDED_STORE_FILES.database);
  const wal = new WalSync(databasePath);
  try {
    db = openSqliteFile(databasePath);
    applySchema(db);
    const commit = new GroupCommit(db, () => wal.sync());
    const tables = createStoreTables(db, { run: (work) => commit.run(work), read: (work) => commit.read(work) });
    await importLegacyFiles(directory, db, tables, () => wal.sync());
    return { directory, lock, db, wal, commit, tables };
  } catch (err) {
    await wal.close().catch(() => undefined);
    db?.close();
    await lock.release().catch(() => undefined);
    if (err instanceof TesseraError) throw err;
    throw new StoreError(`store: cannot open data directory ${directory}`, { cause: err });
  }
}
