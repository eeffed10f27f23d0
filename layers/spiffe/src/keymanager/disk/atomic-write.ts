import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";

/**
 * Replace `directory/name` with `data` so that a crash at any moment leaves either the old file
 * or the new one, never a mix: write a hidden temporary file (created `mode`, never following an
 * existing one), fsync it, rename it over the target, fsync the directory so the rename is durable.
 */
export async function writeFileAtomic(directory: string, name: string, data: string, mode: number): Promise<void> {
  const temp = join(directory, `.${name}.${randomBytes(8).toString("hex")}.tmp`);
  try {
    const file = await open(temp, "wx", mode);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, join(directory, name));
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(directory);
}

async function syncDirectory(directory: string): Promise<void> {
  let dir;
  try {
    dir = await open(directory, "r");
  } catch (err) {
    // Windows cannot open a directory; its renames are as durable as it offers.
    if ((err as NodeJS.ErrnoException).code === "EISDIR" || (err as NodeJS.ErrnoException).code === "EPERM") return;
    throw err;
  }
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
