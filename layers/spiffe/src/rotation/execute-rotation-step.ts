import { createAuthoritySlot, type AuthorityDeps, type AuthorityPolicy } from "../ca/index.js";
import type { CaJournal, JournalSlot } from "../store/types.js";
import { isCompromised, type RotationStep } from "./plan-rotation.js";

/**
 * How long a tick that is preparing a key holds the journal version it read: no other tick makes a
 * key for that version meanwhile. A tick that dies leaves the lease to expire; the next one repairs.
 */
export const PREPARE_LEASE_MS = 5 * 60_000;

function bySlot(a: JournalSlot, b: JournalSlot): number {
  return a.slot.localeCompare(b.slot);
}

function nextJournal(journal: CaJournal, slots: JournalSlot[], now: number, bundleChanged: boolean): CaJournal {
  return {
    ...journal,
    version: journal.version + 1,
    slots: slots.sort(bySlot),
    bundleSequence: journal.bundleSequence + (bundleChanged ? 1 : 0),
    updatedAt: now,
  };
}

/**
 * A prepare that failed to make its key gives up the lease by moving the journal version on, so the
 * next tick (an emergency's retry seconds later) can prepare at once instead of after the lease.
 */
async function releaseLease(journal: CaJournal, deps: AuthorityDeps, now: number): Promise<void> {
  await deps.journals.putJournal({ ...journal, version: journal.version + 1, updatedAt: now }, journal.version).catch(() => undefined);
}

/** Make a key under a lease on the journal version, so two ticks never both make one for the same step. */
async function withKeyLease<T>(journal: CaJournal, deps: AuthorityDeps, now: number, makeKey: () => Promise<T>): Promise<T> {
  await deps.leases.claimOnce("rotation-lease", `${journal.kind}:${journal.version}`, now + PREPARE_LEASE_MS, now);
  try {
    return await makeKey();
  } catch (err) {
    await releaseLease(journal, deps, now);
    throw err;
  }
}

async function prepare(journal: CaJournal, step: Extract<RotationStep, { type: "prepare" }>, deps: AuthorityDeps, policy: AuthorityPolicy) {
  const now = deps.clock.now().getTime();
  const slot: JournalSlot = await withKeyLease(journal, deps, now, () =>
    createAuthoritySlot(journal.kind, deps, policy, { slot: step.slot, status: "prepared", keyGeneration: step.keyGeneration }),
  );
  return nextJournal(journal, [...journal.slots.filter((s) => s.slot !== step.slot), slot], now, true);
}

function activate(journal: CaJournal, step: RotationStep, now: number): CaJournal {
  const slots = journal.slots.map((s): JournalSlot => {
    if (s.slot === step.slot) return { ...s, status: "active", activatedAt: now };
    if (s.status === "active") return { ...s, status: "old", retiredAt: now };
    return s;
  });
  const next = nextJournal(journal, slots, now, false);
  delete next.rotationRequestedAt;
  return next;
}

/** The kind is turned off: the active key becomes old, retired now, and nothing takes its place. */
function deactivate(journal: CaJournal, step: RotationStep, now: number): CaJournal {
  const slots = journal.slots.map((s): JournalSlot => (s.slot === step.slot ? { ...s, status: "old", retiredAt: now } : s));
  const next = nextJournal(journal, slots, now, false);
  delete next.rotationRequestedAt;
  return next;
}

function drop(journal: CaJournal, step: RotationStep, now: number): CaJournal {
  const next = nextJournal(
    journal,
    journal.slots.filter((s) => s.slot !== step.slot),
    now,
    true,
  );
  const { emergency } = next;
  if (emergency && !next.slots.some((s) => isCompromised(s, emergency))) delete next.emergency;
  return next;
}

/**
 * Emergency: replace the compromised slot's key before the slot leaves the journal. The key manager
 * retires the replaced key (KMS schedules its deletion, which also stops it signing; the disk manager
 * overwrites its file), and the new key only waits in the free slot for the next prepare to replace it.
 * Under the same lease as a prepare, so two ticks never both replace it; a crash after this and before
 * the journal write makes the next tick do it again once the lease has passed, harmlessly.
 */
async function retireSlotKey(journal: CaJournal, step: RotationStep, deps: AuthorityDeps, policy: AuthorityPolicy): Promise<void> {
  const slot = journal.slots.find((s) => s.slot === step.slot);
  if (slot) await withKeyLease(journal, deps, deps.clock.now().getTime(), () => deps.keys.generateKey(slot.keyId, policy.keySpec));
}

/**
 * Carry out one planned step on the journal it was planned from, ending in one conditional journal
 * write: a tick that read an older version fails with `JournalConflictError` and changes nothing.
 * Preparing first takes a lease on the journal version, so two ticks never both make the slot's key;
 * a key made by a tick whose journal write was lost is replaced (and scheduled for deletion) by the
 * next prepare of the same slot, so it never signs anything.
 */
export async function executeRotationStep(
  journal: CaJournal,
  step: RotationStep,
  deps: AuthorityDeps,
  policy: AuthorityPolicy,
): Promise<CaJournal> {
  const now = deps.clock.now().getTime();
  if (step.type === "drop" && step.retireKey) await retireSlotKey(journal, step, deps, policy);
  const next =
    step.type === "prepare"
      ? await prepare(journal, step, deps, policy)
      : step.type === "activate"
        ? activate(journal, step, now)
        : step.type === "deactivate"
          ? deactivate(journal, step, now)
          : drop(journal, step, now);
  await deps.journals.putJournal(next, journal.version);
  if (step.type === "drop") await retireDroppedKey(journal, step, deps);
  return next;
}

/**
 * Once a slot has left the journal (nothing it signed can still be presented), retire its key
 * rather than keep it until the slot's next prepare: a KMS key bills by the month until its
 * deletion is scheduled. After the journal write, so a lost write retires nothing; a failure here
 * fails the tick, and the slot's next prepare replaces the key as before.
 */
async function retireDroppedKey(journal: CaJournal, step: RotationStep, deps: AuthorityDeps): Promise<void> {
  const slot = journal.slots.find((s) => s.slot === step.slot);
  if (slot) await deps.keys.retireKey(slot.keyId);
}
