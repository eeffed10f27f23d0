import { open, readFile, unlink } from "node:fs/promises";
import { StoreError } from "../../errors.js";

/** A held lock on a data directory. */
export interface DirectoryLock {
  /** Remove the lock file if it is still ours. */
  release(): Promise<void>;
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === "EPERM";
  }
}

async function readHolder(path: string): Promise<number | "gone" | "unreadable"> {
  try {
    const pid = Number.parseInt((await readFile(path, "utf8")).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : "unreadable";
  } catch (err) {
    if (errorCode(err) === "ENOENT") return "gone";
    throw new StoreError(`store: cannot read lock file ${path}`, { cause: err });
  }
}

async function createLockFile(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (err) {
    if (errorCode(err) === "EEXIST") return false;
    throw new StoreError(`store: cannot create lock file ${path}`, { cause: err });
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Take the lock file at `path` (created exclusively, holding our pid). A lock left by a process
 * that no longer runs is taken over; a live holder, this process included, is refused.
 */
export async function acquireDirectoryLock(path: string): Promise<DirectoryLock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createLockFile(path)) {
      return {
        release: async () => {
          if ((await readHolder(path)) !== process.pid) return;
          await unlink(path).catch((err: unknown) => {
            if (errorCode(err) !== "ENOENT") throw new StoreError(`store: cannot remove lock file ${path}`, { cause: err });
          });
        },
      };
    }
    const holder = await readHolder(path);
    if (holder === "unreadable") {
      throw new StoreError(`store: lock file ${path} holds no pid; remove it if no Tessera process uses the directory`);
    }
    if (holder !== "gone") {
      if (isProcessAlive(holder)) throw new StoreError(`store: data directory is in use by process ${holder} (${path})`);
      await unlink(path).catch((err: unknown) => {
        if (errorCode(err) !== "ENOENT") throw new StoreError(`store: cannot remove stale lock ${path}`, { cause: err });
      });
    }
  }
  throw new StoreError(`store: could not take the lock ${path}`);
}
