import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

const TEMP_SUFFIX = ".tmp";

/**
 * Replace the file at `path` with `data` so that readers, and a crash at any moment, see the old
 * file or the new one, never a part: a hidden temporary file beside it (created exclusively, never
 * following an existing one), chmod to exactly `mode` (whatever the umask), fsync, rename over
 * `path`, fsync of the directory so the rename is durable. A missing directory is made 0700.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temp = join(directory, `.${basename(path)}.${randomBytes(8).toString("hex")}${TEMP_SUFFIX}`);
  try {
    const file = await open(temp, "wx", mode);
    try {
      await file.writeFile(data);
      await file.chmod(mode);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(directory);
}

/** Flush `directory`'s entries to disk (a new or renamed file in it is then durable); a no-op where directories cannot be opened. */
export async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, "r");
  } catch (err) {
    // Windows cannot open a directory; its renames are as durable as it offers.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EISDIR" || code === "EPERM") return;
    throw err;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Delete the temporary files that a crash in the middle of `writeFileAtomic` left beside `name` in
 * `directory` (and those of the `name.<pid>.<n>.tmp` form that Tessera's embedded store wrote
 * before it used `writeFileAtomic`).
 */
export async function removeAtomicWriteLeftovers(directory: string, name: string): Promise<void> {
  for (const entry of await readdir(directory)) {
    const leftover = entry.startsWith(`.${name}.`) || entry.startsWith(`${name}.`);
    if (leftover && entry.endsWith(TEMP_SUFFIX)) await unlink(join(directory, entry));
  }
}
