import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { StoreError } from "../../errors.js";

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

/** Delete temp files that a crash mid-write left next to `name` in `directory`. */
export { removeAtomicWriteLeftovers as removeTempSnapshots } from "../../files/write-file-atomic.js";
