import { RequestInvalidError } from "../errors.js";
import type { AuditEvent } from "../store/types.js";

const MAX_PAGE = 1000;
const CURSOR_CHARS = 512;

/** A page of a list and the cursor of the next one (absent on the last page). */
export interface Page<T> {
  items: T[];
  next?: string;
}

/** The query parameters of a paged list: the page size and the `next` of the previous page. */
export interface PageQuery {
  limit?: string;
  cursor?: string;
}

/** A page size from a query parameter: 1 to 1000, `fallback` when absent. */
export function pageSizeOf(value: string | undefined, fallback: number): number {
  const limit = value === undefined ? fallback : Number(value);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new RequestInvalidError(`admin: limit must be 1 to ${MAX_PAGE}`);
  return limit;
}

/**
 * The page after the cursor of a list already in its order, whose keys are unique and sort the
 * same way: the cursor is the key of the last item of the previous page.
 */
export function pageAfter<T>(items: readonly T[], keyOf: (item: T) => string, after: string | undefined, limit: number): Page<T> {
  if (after !== undefined && after.length > CURSOR_CHARS) throw new RequestInvalidError("admin: cursor is malformed");
  const start = after === undefined ? 0 : items.findIndex((item) => keyOf(item) > after);
  const rest = start < 0 ? [] : items.slice(start);
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return rest.length > limit && last !== undefined ? { items: page, next: keyOf(last) } : { items: page };
}

/** The cursor after an audit event: its time and id, opaque to callers. */
export function auditCursorOf(event: AuditEvent): string {
  return Buffer.from(JSON.stringify([event.time, event.id]), "utf8").toString("base64url");
}

/** The position an audit cursor names; `RequestInvalidError` for anything `auditCursorOf` did not make. */
export function parseAuditCursor(cursor: string): { time: number; id: string } {
  if (cursor.length > CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new RequestInvalidError("admin: cursor is malformed");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new RequestInvalidError("admin: cursor is malformed");
  }
  const [time, id] = Array.isArray(parsed) && parsed.length === 2 ? (parsed as unknown[]) : [];
  if (!Number.isSafeInteger(time) || typeof id !== "string" || id === "") throw new RequestInvalidError("admin: cursor is malformed");
  return { time: time as number, id };
}
