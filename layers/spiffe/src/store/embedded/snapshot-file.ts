import { open, readFile, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { StoreError } from "../../errors.js";

const TEMP_SUFFIX = ".tmp";
let tempCounter = 0;

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Flush a directory's entries (a rename is durable only once its directory is). */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The parsed JSON file `name` in `directory`, or undefined when there is none. */
export async function readSnapshot(directory: string, name: string): Promise<unknown> {
  const path = join(directory, name);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (errorCode(err) === "ENOENT") return undefined;
    throw new StoreError(`store: cannot read ${path}`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StoreError(`store: ${path} is not valid JSON`, { cause: err });
  }
}

/**
 * Replace `name` in `directory` with `value` as JSON, atomically: a temp file (mode 0600) is
 * written and fsynced, renamed over the old file, and the directory fsynced. A crash leaves the
 * old file or the new one, never a mix, and at worst a temp file that `removeTempSnapshots` clears.
 */
export async function writeSnapshot(directory: string, name: string, value: unknown): Promise<void> {
  const temp = join(directory, `${name}.${process.pid}.${++tempCounter}${TEMP_SUFFIX}`);
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(JSON.stringify(value));
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  await rename(temp, join(directory, name));
  await syncDirectory(directory);
}

/** Delete temp files that a crash mid-write left next to `name`. */
export async function removeTempSnapshots(directory: string, name: string): Promise<void> {
  for (const entry of await readdir(directory)) {
    if (entry.startsWith(`${name}.`) && entry.endsWith(TEMP_SUFFIX)) await unlink(join(directory, entry));
  }
}
