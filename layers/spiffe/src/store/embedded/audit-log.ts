import { readFile } from "node:fs/promises";
import { StoreError } from "../../errors.js";
import type { AuditEvent } from "../types.js";

const NEWLINE = 0x0a;

/**
 * The events of an audit log written by the embedded store before it kept them in SQLite (one
 * JSON event per line), oldest first; none when the file is missing. Bytes after the last newline
 * are a line torn by a crash mid-append and are ignored; a corrupt complete line is a `StoreError`.
 */
export async function readLegacyAuditLog(path: string): Promise<AuditEvent[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new StoreError(`store: cannot read ${path}`, { cause: err });
  }
  const complete = bytes.lastIndexOf(NEWLINE) + 1;
  const events: AuditEvent[] = [];
  bytes
    .subarray(0, complete)
    .toString("utf8")
    .split("\n")
    .forEach((line, index) => {
      if (line === "") return;
      try {
        events.push(JSON.parse(line) as AuditEvent);
      } catch (err) {
        throw new StoreError(`store: ${path} line ${index + 1} is corrupt`, { cause: err });
      }
    });
  return events;
}
