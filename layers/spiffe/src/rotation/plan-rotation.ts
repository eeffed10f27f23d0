import type { CaJournal, EmergencyRotation, JournalKind, JournalSlot } from "../store/types.js";
import { activateNextAt, dropOldAt, prepareNextAt, publishedLongEnoughAt, shouldDropOld, type RotationPolicy } from "./thresholds.js";

/** One step of a key kind's rotation. */
export type RotationStep =
  | { type: "prepare"; kind: JournalKind; slot: JournalSlot["slot"]; keyGeneration: number }
  | { type: "activate"; kind: JournalKind; slot: JournalSlot["slot"] }
  /** The kind is turned off: the active key stops signing and becomes old, with no key after it. */
  | { type: "deactivate"; kind: JournalKind; slot: JournalSlot["slot"] }
  | {
      type: "drop";
      kind: JournalKind;
      slot: JournalSlot["slot"];
      /** Emergency: replace the slot's key at once (the key manager retires it) before the slot leaves the journal. */
      retireKey?: true;
      /** Planned because the kind is turned off (no key takes the slot's place). */
      turnedOff?: true;
    };

/** What the planner decided for one journal at one instant. */
export interface RotationPlan {
  kind: JournalKind;
  /** The step due now, if any. Run it, read the journal again and plan again. */
  due?: RotationStep;
  /** The next step and when it falls due (epoch ms), when nothing is due now. */
  next?: { step: RotationStep; at: number };
}

function slotWith(journal: CaJournal, status: JournalSlot["status"]): JournalSlot | undefined {
  return journal.slots.find((s) => s.status === status);
}

function planFor(step: RotationStep, at: number, now: number): Pick<RotationPlan, "due" | "next"> {
  return now >= at ? { due: step } : { next: { step, at } };
}

function nextGeneration(journal: CaJournal): number {
  return Math.max(0, ...journal.slots.map((s) => s.keyGeneration)) + 1;
}

/** The old slot that may be dropped first, and when. */
function firstOld(journal: CaJournal, policy: RotationPolicy): { slot: JournalSlot; at: number } | undefined {
  const olds = journal.slots.filter((s) => s.status === "old").map((slot) => ({ slot, at: dropOldAt(slot, policy) }));
  return olds.sort((x, y) => x.at - y.at)[0];
}

/**
 * The kind is turned off: a compromised key (an emergency) and a prepared key (it never signed) leave
 * at once, the active key stops signing (it becomes old, its retirement the switch), and each old
 * key leaves once nothing it signed can be presented. Each drop retires the key; nothing is made.
 */
function planTurnedOff(journal: CaJournal, policy: RotationPolicy, now: number): RotationPlan {
  const { kind, emergency } = journal;
  const drop = (slot: JournalSlot): RotationStep => ({ type: "drop", kind, slot: slot.slot, turnedOff: true });
  const gone = journal.slots.find((s) => s.status === "prepared" || (emergency !== undefined && isCompromised(s, emergency)));
  if (gone) return { kind, due: drop(gone) };
  const active = slotWith(journal, "active");
  if (active) return { kind, due: { type: "deactivate", kind, slot: active.slot } };
  const old = firstOld(journal, policy);
  return old ? { kind, ...planFor(drop(old.slot), old.at, now) } : { kind };
}

/**
 * The kind is on but has no active key (it was turned off, then on again): make one in a free slot
 * and activate it at once, as the first one was made, dropping an old key first if it is due. With
 * both slots held by old keys still in use, the first drop comes first.
 */
function planTurnedOn(journal: CaJournal, policy: RotationPolicy, now: number): RotationPlan {
  const { kind } = journal;
  const prepared = slotWith(journal, "prepared");
  if (prepared) return { kind, due: { type: "activate", kind, slot: prepared.slot } };
  const old = firstOld(journal, policy);
  if (old && now >= old.at) return { kind, due: { type: "drop", kind, slot: old.slot.slot } };
  const free = (["a", "b"] as const).find((slot) => !journal.slots.some((s) => s.slot === slot));
  if (free) return { kind, due: { type: "prepare", kind, slot: free, keyGeneration: nextGeneration(journal) } };
  return old ? { kind, next: { step: { type: "drop", kind, slot: old.slot.slot }, at: old.at } } : { kind };
}

/** True when `slot` was made before `emergency` was asked for, so it counts as compromised. */
export function isCompromised(slot: JournalSlot, emergency: EmergencyRotation): boolean {
  return slot.keyGeneration <= emergency.compromisedGeneration;
}

/**
 * An emergency: make a new key in the slot that is not active (replacing whatever it held), activate
 * it at once, then drop every compromised key at once. A new key always exists before any is dropped,
 * so the journal is never left without one. Thresholds and publication lead are waived.
 */
function planEmergency(journal: CaJournal, emergency: EmergencyRotation, active: JournalSlot): RotationPlan {
  const { kind } = journal;
  const fresh = journal.slots.find((s) => !isCompromised(s, emergency));
  if (!fresh) {
    const slot = active.slot === "a" ? "b" : "a";
    return { kind, due: { type: "prepare", kind, slot, keyGeneration: nextGeneration(journal) } };
  }
  if (fresh.status === "prepared") return { kind, due: { type: "activate", kind, slot: fresh.slot } };
  const compromised = journal.slots.find((s) => isCompromised(s, emergency));
  return compromised ? { kind, due: { type: "drop", kind, slot: compromised.slot, retireKey: true } } : { kind };
}

/**
 * The rotation step a journal needs at `now`, as SPIRE's CA manager decides it: drop the old key once
 * nothing it signed can be presented, prepare the next key in the free slot half-way through the
 * active key's life, activate it when a sixth is left. A pure function of journal, policy and clock.
 * A manual rotation request (`rotationRequestedAt`) waives the two thresholds, never the safety
 * rules: the old key must still be droppable and the new one published long enough. An emergency
 * (`emergency`) waives those too, see `planEmergency`. A kind turned off (`policy.disabled`) only
 * loses its keys (`planTurnedOff`); turned on again, it gets a key at once (`planTurnedOn`).
 */
export function planRotation(journal: CaJournal, policy: RotationPolicy, now: number): RotationPlan {
  const { kind } = journal;
  if (policy.disabled) return planTurnedOff(journal, policy, now);
  const requested = journal.rotationRequestedAt !== undefined;
  const active = slotWith(journal, "active");
  if (!active) return planTurnedOn(journal, policy, now);
  if (journal.emergency) return planEmergency(journal, journal.emergency, active);
  const prepared = slotWith(journal, "prepared");
  const old = slotWith(journal, "old");
  if (old && shouldDropOld(old, policy, now)) return { kind, due: { type: "drop", kind, slot: old.slot } };
  if (prepared) {
    const at = requested ? publishedLongEnoughAt(prepared, policy) : activateNextAt(active, prepared, policy);
    return { kind, ...planFor({ type: "activate", kind, slot: prepared.slot }, at, now) };
  }
  if (old) return { kind, next: { step: { type: "drop", kind, slot: old.slot }, at: dropOldAt(old, policy) } };
  const step: RotationStep = { type: "prepare", kind, slot: active.slot === "a" ? "b" : "a", keyGeneration: nextGeneration(journal) };
  return { kind, ...planFor(step, requested ? now : prepareNextAt(active, policy), now) };
}
