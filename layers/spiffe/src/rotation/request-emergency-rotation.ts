import type { Clock } from "../clock.js";
import { JournalConflictError } from "../errors.js";
import type { JournalKind, JournalStore } from "../store/types.js";

/** Who asks for an emergency rotation, and why. */
export interface EmergencyRequest {
  /** Free text kept in the journal and the audit trail; at most `MAX_EMERGENCY_REASON_LENGTH` characters. */
  reason: string;
  requestedBy: string;
}

/**
 * What asking did: `recorded` (this call asked), `pending` (an emergency was already under way, so
 * this call adds nothing), `done` (another request removed every key this caller saw meanwhile), or
 * `no_authority` (the kind has no key yet).
 */
export type EmergencyRequestOutcome = "recorded" | "pending" | "done" | "no_authority";

/** The longest reason an emergency rotation keeps. */
export const MAX_EMERGENCY_REASON_LENGTH = 256;
const ATTEMPTS = 5;

/**
 * Mark every key of `kind` the journal holds now as compromised: the next rotation tick makes a new
 * key, activates it at once and drops the compromised ones at once. Only a journal write. Two requests
 * at once act once: the generation this call first saw is pinned, so a request that loses the write
 * to another finds that emergency pending, or already done, and records nothing.
 */
export async function requestEmergencyRotation(
  deps: { journals: JournalStore; clock: Clock },
  kind: JournalKind,
  request: EmergencyRequest,
): Promise<EmergencyRequestOutcome> {
  let seen: number | undefined;
  for (let attempt = 1; ; attempt++) {
    const journal = await deps.journals.getJournal(kind);
    if (!journal || journal.slots.length === 0) return "no_authority";
    const newest = Math.max(...journal.slots.map((s) => s.keyGeneration));
    seen ??= newest;
    if (journal.emergency) return "pending";
    if (!journal.slots.some((s) => s.keyGeneration <= (seen as number))) return "done";
    const now = deps.clock.now().getTime();
    const emergency = { requestedAt: now, compromisedGeneration: newest, reason: request.reason, requestedBy: request.requestedBy };
    try {
      await deps.journals.putJournal({ ...journal, version: journal.version + 1, updatedAt: now, emergency }, journal.version);
      return "recorded";
    } catch (err) {
      if (!(err instanceof JournalConflictError) || attempt >= ATTEMPTS) throw err;
    }
  }
}
