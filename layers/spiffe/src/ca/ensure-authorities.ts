import { JournalConflictError, ReplayError } from "../errors.js";
import type { CaJournal, JournalKind } from "../store/types.js";
import { createAuthoritySlot } from "./create-slot.js";
import type { AuthorityDeps, AuthorityPolicy } from "./types.js";

const LEASE_MS = 30_000;
const WAIT_STEP_MS = 250;

/** The result of ensuring one journal. */
export interface EnsureAuthorityResult {
  journal: CaJournal;
  /** True when this call made the authority. */
  created: boolean;
}

async function waitForJournal(kind: JournalKind, deps: AuthorityDeps): Promise<CaJournal> {
  for (let waited = 0; waited < LEASE_MS + 5_000; waited += WAIT_STEP_MS) {
    const journal = await deps.journals.getJournal(kind);
    if (journal) return journal;
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
  throw new JournalConflictError(`ca: another process holds the ${kind} authority lease and made nothing`);
}

/**
 * Make the first authority of `kind` (a KMS or disk key, and for X.509 a self-signed CA) unless
 * the journal has one. Safe to call from many processes at once: one makes it, the rest wait.
 */
export async function ensureAuthority(kind: JournalKind, deps: AuthorityDeps, policy: AuthorityPolicy): Promise<EnsureAuthorityResult> {
  const existing = await deps.journals.getJournal(kind);
  if (existing) return { journal: existing, created: false };
  const now = deps.clock.now().getTime();
  try {
    await deps.leases.claimOnce("authority-lease", kind, now + LEASE_MS, now);
  } catch (err) {
    if (err instanceof ReplayError) return { journal: await waitForJournal(kind, deps), created: false };
    throw err;
  }
  const slot = await createAuthoritySlot(kind, deps, policy, { slot: "a", status: "active", keyGeneration: 1 });
  const journal: CaJournal = { kind, version: 1, slots: [slot], bundleSequence: 1, updatedAt: now };
  try {
    await deps.journals.putJournal(journal, 0);
  } catch (err) {
    if (err instanceof JournalConflictError) {
      const winner = await deps.journals.getJournal(kind);
      if (winner) return { journal: winner, created: false };
    }
    throw err;
  }
  return { journal, created: true };
}

/**
 * Ensure the X.509 CA and the JWT key exist; returns both journals. With JWT-SVIDs turned off
 * (`policy.jwtSvids === false`) no JWT key is made and `jwt` is absent.
 */
export async function ensureAuthorities(
  deps: AuthorityDeps,
  policy: AuthorityPolicy,
): Promise<{ x509: EnsureAuthorityResult; jwt?: EnsureAuthorityResult }> {
  const x509 = await ensureAuthority("x509", deps, policy);
  if (policy.jwtSvids === false) return { x509 };
  const jwt = await ensureAuthority("jwt", deps, policy);
  return { x509, jwt };
}
