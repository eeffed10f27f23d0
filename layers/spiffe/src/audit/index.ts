/**
 * audit: every join, renewal, lock and SVID becomes a structured log line and a store record
 * (who, what, when). Only hashes and thumbprints of secrets ever enter either.
 */
export { AUDIT_LOG_FIELDS, recordAudit, type AuditDeps } from "./record-audit.js";
