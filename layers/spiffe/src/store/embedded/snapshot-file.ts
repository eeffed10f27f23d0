import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { StoreError } from "../../errors.js";
import { writeFileAtomic } from "../../files/write-file-atomic.js";

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
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
 * Replace `name` in `directory` with `value` as JSON (mode 0600) with `writeFileAtomic`. A crash
 * leaves the old file or the new one, never a mix, and at worst a temp file that
 * `removeTempSnapshots` clears.
 */
export async function writeSnapshot(directory: string, name: string, value: unknown): Promise<void> {
  await writeFileAtomic(join(directory, name), JSON.stringify(value), 0o600);
}


/** Delete temp files that a crash mid-write left next to `name` in `directory`. */
export { removeAtomicWriteLeftovers as removeTempSnapshots } from "../../files/write-file-atomic.js";
