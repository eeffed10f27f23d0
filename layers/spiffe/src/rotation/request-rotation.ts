import type { Clock } from "../clock.js";
import { JournalConflictError } from "../errors.js";
import type { JournalKind, JournalStore } from "../store/types.js";

const ATTEMPTS = 3;

/**
 * Ask for a manual rotation of `kind`: the next ticks prepare a key at once and activate it as soon
 * as it has been published long enough. Only a journal write, so the caller needs no key access.
 * Returns false when the kind has no journal yet; a pending request is left as it is.
 */
export async function requestRotation(deps: { journals: JournalStore; clock: Clock }, kind: JournalKind): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const journal = await deps.journals.getJournal(kind);
    if (!journal) return false;
    if (journal.rotationRequestedAt !== undefined) return true;
    const now = deps.clock.now().getTime();
    try {
      await deps.journals.putJournal(
        { ...journal, version: journal.version + 1, rotationRequestedAt: now, updatedAt: now },
        journal.version,
      );
      return true;
    } catch (err) {
      if (!(err instanceof JournalConflictError) || attempt >= ATTEMPTS) throw err;
    }
  }
}
