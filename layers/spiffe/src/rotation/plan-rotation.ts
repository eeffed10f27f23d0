import type { CaJournal, EmergencyRotation, JournalKind, JournalSlot } from "../store/types.js";
import { activateNextAt, dropOldAt, prepareNextAt, publishedLongEnoughAt, shouldDropOld, type RotationPolicy } from "./thresholds.js";

/** One step of a key kind's rotation. */
export type RotationStep =
  | { type: "prepare"; kind: JournalKind; slot: JournalSlot["slot"]; keyGeneration: number }
  | { type: "activate"; kind: JournalKind; slot: JournalSlot["slot"] }
  | {
      type: "drop";
      kind: JournalKind;
      slot: JournalSlot["slot"];
      /** Emergency: replace the slot's key at once (the key manager retires it) before the slot leaves the journal. */
      retireKey?: true;
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
  return Math.max(...journal.slots.map((s) => s.keyGeneration)) + 1;
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
 * (`emergency`) waives those too, see `planEmergency`.
 */
export function planRotation(journal: CaJournal, policy: RotationPolicy, now: number): RotationPlan {
  const { kind } = journal;
  const requested = journal.rotationRequestedAt !== undefined;
  const active = slotWith(journal, "active");
  if (!active) return { kind };
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
