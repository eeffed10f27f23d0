import { open, readFile, truncate } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { StoreError } from "../../errors.js";
import { compareAuditNewestFirst, copyRecord } from "../record-rules.js";
import type { AuditEvent, AuditFilter } from "../types.js";

const NEWLINE = 0x0a;

async function readLog(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return Buffer.alloc(0);
    throw new StoreError(`store: cannot read ${path}`, { cause: err });
  }
}

function matches(event: AuditEvent, filter: AuditFilter): boolean {
  return (
    (filter.botName === undefined || event.botName === filter.botName) &&
    (filter.spiffeId === undefined || event.spiffeId === filter.spiffeId) &&
    (filter.type === undefined || event.type === filter.type) &&
    (filter.since === undefined || event.time >= filter.since) &&
    (filter.until === undefined || event.time < filter.until) &&
    (filter.types === undefined || filter.types.includes(event.type)) &&
    (filter.before === undefined || compareAuditNewestFirst(event, { ...event, ...filter.before }) > 0)
  );
}

/** The audit trail as a JSON-lines file (one event per line, each append fsynced), and in memory. */
export class AuditLog {
  readonly #handle: FileHandle;
  readonly #events: AuditEvent[];
  readonly #ids: Set<string>;

  private constructor(handle: FileHandle, events: AuditEvent[]) {
    this.#handle = handle;
    this.#events = events;
    this.#ids = new Set(events.map((event) => event.id));
  }

  /**
   * Open the log at `path` (created 0600) and read its events, oldest first. Bytes after the last
   * newline are a line torn by a crash mid-append: they are dropped and truncated away.
   */
  static async open(path: string): Promise<AuditLog> {
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
    return new AuditLog(handle, events);
  }

  /** Whether an event with this id is in the log. */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Append a copy of one event and wait until it is on disk. */
  async append(event: AuditEvent): Promise<void> {
    const stored = copyRecord(event);
    await this.#handle.write(`${JSON.stringify(stored)}\n`);
    await this.#handle.sync();
    this.#events.push(stored);
    this.#ids.add(stored.id);
  }

  /** Copies of at most `limit` events matching `filter`, newest first. */
  list(filter: AuditFilter, limit: number): AuditEvent[] {
    return this.#events
      .filter((event) => matches(event, filter))
      .sort(compareAuditNewestFirst)
      .slice(0, limit)
      .map((event) => copyRecord(event));
  }

  /** Close the file. */
  async close(): Promise<void> {
    await this.#handle.close();
  }
}
