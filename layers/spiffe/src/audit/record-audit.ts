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

/** Record one audit event (never a secret: callers pass hashes and thumbprints only). */
export async function recordAudit(deps: AuditDeps, event: Omit<AuditEvent, "id">): Promise<AuditEvent> {
  const full: AuditEvent = { id: randomUUID(), ...event };
  deps.logger.info(`audit: ${event.type}`, { [AUDIT_LOG_FIELDS.type]: event.type, [AUDIT_LOG_FIELDS.event]: full });
  await deps.audit.appendAudit(full);
  return full;
}
