import { RequestInvalidError } from "../errors.js";
import type { AuditEvent, AuditEventType, AuditFilter } from "../store/types.js";
import type { AdminDeps } from "./types.js";

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

/** Raw audit query parameters, as they arrive from a URL or a CLI. */
export interface AuditQuery {
  bot?: unknown;
  spiffeId?: unknown;
  type?: unknown;
  since?: unknown;
  until?: unknown;
  limit?: unknown;
}

function timeOf(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  const t = typeof value === "number" ? value : Date.parse(String(value));
  if (!Number.isFinite(t)) throw new RequestInvalidError(`admin: ${what} must be an RFC 3339 time`);
  return t;
}

/** Audit events matching the query, newest first. */
export async function listAuditEvents(deps: AdminDeps, query: AuditQuery): Promise<AuditEvent[]> {
  const filter: AuditFilter = {};
  if (query.bot !== undefined) filter.botName = String(query.bot);
  if (query.spiffeId !== undefined) filter.spiffeId = String(query.spiffeId);
  if (query.type !== undefined) {
    if (!TYPES.includes(query.type as AuditEventType)) throw new RequestInvalidError(`admin: type must be one of ${TYPES.join(", ")}`);
    filter.type = query.type as AuditEventType;
  }
  const since = timeOf(query.since, "since");
  const until = timeOf(query.until, "until");
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new RequestInvalidError("admin: limit must be 1 to 1000");
  filter.limit = limit;
  return deps.store.listAudit(filter);
}
