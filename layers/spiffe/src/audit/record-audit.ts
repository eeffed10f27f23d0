import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { AuditEvent, AuditWriter } from "../store/types.js";

/** Field names of audit log lines: stable, so log queries keep working. */
export const AUDIT_LOG_FIELDS = {
  event: "audit_event",
  type: "audit_type",
} as const;

/** The audit trail: a store record and a structured log line for every event. */
export interface AuditDeps {
  audit: AuditWriter;
  logger: Pick<Logger, "info" | "error">;
}

/** Times a version 7 UUID can hold: 48 bits of milliseconds. */
const UUID_TIME_LIMIT = 2 ** 48;

/**
 * An RFC 9562 version 7 UUID for an event at `time` (ms since the epoch): the time in its first 48
 * bits, then the version, then the 74 random bits of a version 4 UUID. A later event's id sorts
 * after an earlier one's, so the embedded store's unique index of ids grows at its end, as its time
 * index does, instead of taking a write to a random page of the index for every event. A time
 * outside what the UUID holds gets a version 4 UUID (the store refuses such an event anyway).
 */
export function timeOrderedUuid(time: number): string {
  const random = randomUUID();
  if (!Number.isSafeInteger(time) || time < 0 || time >= UUID_TIME_LIMIT) return random;
  const hex = time.toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8)}-7${random.slice(15)}`;
}

/** Record one audit event (never a secret: callers pass hashes and thumbprints only). */
export async function recordAudit(deps: AuditDeps, event: Omit<AuditEvent, "id">): Promise<AuditEvent> {
  const full: AuditEvent = { id: timeOrderedUuid(event.time), ...event };
  deps.logger.info(`audit: ${event.type}`, { [AUDIT_LOG_FIELDS.type]: event.type, [AUDIT_LOG_FIELDS.event]: full });
  await deps.audit.appendAudit(full);
  return full;
}
