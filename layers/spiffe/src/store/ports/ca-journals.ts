/** The CA and JWT-key rotation journals and the parts of the store that hold them. */

/** Which keys a journal tracks. */
export type JournalKind = "x509" | "jwt";

/** State of a key slot in the rotation cycle. */
export type SlotStatus = "prepared" | "active" | "old";

/** One A/B slot of a CA journal. */
export interface JournalSlot {
  slot: "a" | "b";
  status: SlotStatus;
  /** Key manager id of the slot's key. */
  keyId: string;
  /** Distinguishes successive keys in one slot (also the JWT `kid`). */
  keyGeneration: number;
  /** PEM of the self-signed CA certificate (x509 journals). */
  certificatePem?: string;
  /** SPKI DER, base64 (jwt journals). */
  publicKeySpki?: string;
  notBefore: number;
  notAfter: number;
  preparedAt: number;
  activatedAt?: number;
  retiredAt?: number;
}

/**
 * An emergency rotation under way: every key of `compromisedGeneration` or below leaves the journal
 * (and the bundle) as soon as a key made after the request is active. Cleared when the last has left.
 */
export interface EmergencyRotation {
  requestedAt: number;
  /** The newest key generation of the journal when the emergency was asked for. */
  compromisedGeneration: number;
  /** Why, as the operator gave it (at most 256 characters). */
  reason: string;
  /** Who asked: an admin principal, or `tessera` for the rotate function's own input. */
  requestedBy: string;
}

/** The rotation journal of one key kind. `version` increases on every write. */
export interface CaJournal {
  kind: JournalKind;
  version: number;
  slots: JournalSlot[];
  /** The bundle's `spiffe_sequence`, moved whenever the set of published keys changes. */
  bundleSequence: number;
  updatedAt: number;
  /** Set by a manual rotation: prepare and activate without waiting for the thresholds. Cleared on activation. */
  rotationRequestedAt?: number;
  /** Set by an emergency rotation until every compromised key has left the journal. */
  emergency?: EmergencyRotation;
}

/** Reads the journals. */
export interface JournalReader {
  getJournal(kind: JournalKind): Promise<CaJournal | undefined>;
}

/** Writes a journal, one writer at a time. */
export interface JournalWriter {
  /**
   * Write `journal` (whose `version` must be `expectedVersion + 1`, or 1 for a new journal) only if
   * the stored version is `expectedVersion` (0: none stored). `JournalConflictError` otherwise.
   */
  putJournal(journal: CaJournal, expectedVersion: number): Promise<void>;
}

/** The CA and JWT-key rotation journals: both journal parts. */
export interface JournalStore extends JournalReader, JournalWriter {}
