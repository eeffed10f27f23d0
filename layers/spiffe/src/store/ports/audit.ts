/** Audit events and the parts of the store that hold them. */

/** Kinds of audited events. */
export type AuditEventType =
  | "join"
  | "renew"
  | "x509_svid"
  | "jwt_svid"
  | "lock"
  | "unlock"
  | "bot_created"
  | "bot_deleted"
  | "token_created"
  | "ca_rotated"
  | "ca_prepared"
  | "ca_retired"
  | "jwt_key_prepared"
  | "jwt_key_rotated"
  | "jwt_key_retired"
  | "emergency_rotation"
  | "join_refused"
  | "renew_refused"
  | "svid_refused"
  | "svid_revoked";

/** One audit record: who, what, when. Never a secret; hashes and thumbprints only. */
export interface AuditEvent {
  id: string;
  type: AuditEventType;
  time: number;
  botName?: string;
  instanceId?: string;
  joinMethod?: string;
  spiffeId?: string;
  /** X.509 serial (hex) or JWT `jti`. */
  serialOrJti?: string;
  expiresAt?: number;
  /** RFC 7638 thumbprint of the SVID's public key. */
  keyThumbprint?: string;
  /** Anything else worth keeping (reason, actor...). Strings only. */
  detail?: Record<string, string>;
}

/** Filter for listing audit events; all fields optional, combined with AND. */
export interface AuditFilter {
  botName?: string;
  spiffeId?: string;
  type?: AuditEventType;
  /** Inclusive lower bound, epoch ms. */
  since?: number;
  /** Exclusive upper bound, epoch ms. */
  until?: number;
  /** At most this many events, newest first. Default 100. */
  limit?: number;
  /** Any of these types (AND with `type`): e.g. the three refusal types. */
  types?: AuditEventType[];
  /** Only events strictly older than this one (newest-first order: time, then id): a page's cursor. */
  before?: { time: number; id: string };
}

/** Appends to the audit trail. */
export interface AuditWriter {
  appendAudit(event: AuditEvent): Promise<void>;
}

/** Reads the audit trail. */
export interface AuditReader {
  /** Events matching `filter`, newest first. */
  listAudit(filter?: AuditFilter): Promise<AuditEvent[]>;
}

/** The audit trail: both audit parts. */
export interface AuditStore extends AuditWriter, AuditReader {}
