import { RequestInvalidError } from "../errors.js";
import type { AuditEvent, AuditEventType, AuditFilter } from "../store/types.js";
import { auditCursorOf, pageSizeOf, parseAuditCursor, type Page, type PageQuery } from "./pages.js";
import type { LIST_AUDIT_PAGE_STORE } from "./store-parts.js";
import type { AdminDepsFor } from "./types.js";

/** `type=refusals`: every refused join, renewal and SVID request. */
const REFUSALS: AuditEventType[] = ["join_refused", "renew_refused", "svid_refused"];

const TYPES: readonly AuditEventType[] = [
  "join",
  "renew",
  "x509_svid",
  "jwt_svid",
  "lock",
  "unlock",
  "bot_created",
  "bot_deleted",
  "token_created",
  "ca_rotated",
  "ca_prepared",
  "ca_retired",
  "jwt_key_prepared",
  "jwt_key_rotated",
  "jwt_key_retired",
  "emergency_rotation",
  "join_refused",
  "renew_refused",
  "svid_refused",
  "svid_revoked",
];

/** Audit query parameters, as the API contract's query schema gives them. */
export interface AuditQuery extends PageQuery {
  bot?: string;
  spiffeId?: string;
  /** An audit event type, or `refusals`. */
  type?: string;
  /** RFC 3339 times. */
  since?: string;
  until?: string;
}

function timeOf(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new RequestInvalidError(`admin: ${what} must be an RFC 3339 time`);
  return t;
}

/** One page of audit events matching the query, newest first, and the cursor of the next page. */
export async function listAuditPage(deps: AdminDepsFor<typeof LIST_AUDIT_PAGE_STORE>, query: AuditQuery): Promise<Page<AuditEvent>> {
  const filter: AuditFilter = {};
  if (query.bot !== undefined) filter.botName = query.bot;
  if (query.spiffeId !== undefined) filter.spiffeId = query.spiffeId;
  if (query.type === "refusals") filter.types = REFUSALS;
  else if (query.type !== undefined) {
    if (!TYPES.includes(query.type as AuditEventType))
      throw new RequestInvalidError(`admin: type must be refusals or one of ${TYPES.join(", ")}`);
    filter.type = query.type as AuditEventType;
  }
  const since = timeOf(query.since, "since");
  const until = timeOf(query.until, "until");
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  if (query.cursor !== undefined) filter.before = parseAuditCursor(query.cursor);
  const limit = pageSizeOf(query.limit, 100);
  const events = await deps.store.listAudit({ ...filter, limit: limit + 1 });
  const items = events.slice(0, limit);
  const last = items[items.length - 1];
  return events.length > limit && last !== undefined ? { items, next: auditCursorOf(last) } : { items };
}
