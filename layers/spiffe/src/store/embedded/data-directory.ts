import { chmod, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { StoreError, TesseraError } from "../../errors.js";
import { AuditLog } from "./audit-log.js";
import { acquireDirectoryLock, type DirectoryLock } from "./directory-lock.js";
import { RevocationFile } from "./revocation-file.js";
import { readSnapshot, removeTempSnapshots, writeSnapshot } from "./snapshot-file.js";
import { parseSnapshot, type Snapshot } from "./snapshot.js";

/** File names inside the data directory. */
export const EMBEDDED_STORE_FILES = Object.freeze({
  state: "state.json",
  audit: "audit.jsonl",
  lock: "store.lock",
});

/** An embedded store's data directory, opened and locked: what the store is built from. */
export interface OpenedDataDirectory {
  directory: string;
  lock: DirectoryLock;
  snapshot: Snapshot;
  audit: AuditLog;
  revocations: RevocationFile;
}

/**
 * Create `directory` (mode 0700) when missing, lock it against other processes, clear leftover temp
 * snapshots, and read the snapshot (saved back when reading upgraded it), the audit log and the
 * revocations. `StoreError` when another live process holds it or it cannot be read; the lock is
 * released on any failure.
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
  try {
    await removeTempSnapshots(directory, EMBEDDED_STORE_FILES.state);
    const { snapshot, changed } = parseSnapshot(await readSnapshot(directory, EMBEDDED_STORE_FILES.state), EMBEDDED_STORE_FILES.state);
    if (changed) await writeSnapshot(directory, EMBEDDED_STORE_FILES.state, snapshot);
    const audit = await AuditLog.open(join(directory, EMBEDDED_STORE_FILES.audit));
    return { directory, lock, snapshot, audit, revocations: await RevocationFile.open(directory) };
  } catch (err) {
    await lock.release().catch(() => undefined);
    if (err instanceof TesseraError) throw err;
    throw new StoreError(`store: cannot open data directory ${directory}`, { cause: err });
  }
}
