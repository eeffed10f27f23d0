import { open, readFile, truncate } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { StoreError } from "../../errors.js";
import type { AuditEvent } from "../types.js";

const NEWLINE = 0x0a;

async function readLog(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return Buffer.alloc(0);
    throw new StoreError(`store: cannot read ${path}`, { cause: err });
  }
}

/** The audit trail as a JSON-lines file: one event per line, each append fsynced. */
export class AuditLog {
  readonly #handle: FileHandle;

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /**
   * Open the log at `path` (created 0600) and read its events, oldest first. Bytes after the last
   * newline are a line torn by a crash mid-append: they are dropped and truncated away.
   */
  static async open(path: string): Promise<{ log: AuditLog; events: AuditEvent[] }> {
    const bytes = await readLog(path);
    const complete = bytes.lastIndexOf(NEWLINE) + 1;
    if (complete < bytes.length) {
      await truncate(path, complete);
    }
    const events: AuditEvent[] = [];
    const lines = bytes.subarray(0, complete).toString("utf8").split("\n");
    lines.forEach((line, index) => {
      if (line === "") return;
      try {
        events.push(JSON.parse(line) as AuditEvent);
      } catch (err) {
        throw new StoreError(`store: ${path} line ${index + 1} is corrupt`, { cause: err });
      }
    });
    const handle = await open(path, "a", 0o600);
    try {
      await handle.sync();
    } catch (err) {
      await handle.close();
      throw err;
    }
    return { log: new AuditLog(handle), events };
  }

  /** Append one event and wait until it is on disk. */
  async append(event: AuditEvent): Promise<void> {
    await this.#handle.write(`${JSON.stringify(event)}\n`);
    await this.#handle.sync();
  }

  /** Close the file. */
  async close(): Promise<void> {
    await this.#handle.close();
  }
}
