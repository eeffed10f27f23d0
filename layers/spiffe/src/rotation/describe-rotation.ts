import type { CaJournal, JournalKind } from "../store/types.js";
import { planRotation, type RotationStep } from "./plan-rotation.js";
import type { RotationPolicy } from "./thresholds.js";

/** What `tessera ca status` shows of one journal's schedule. */
export interface RotationScheduleView {
  kind: JournalKind;
  /** The planner's next step and its slot; absent when there is nothing to plan (no active key). */
  next?: { step: RotationStep["type"]; slot: RotationStep["slot"]; at: string; due: boolean };
  /** When a manual rotation was asked for and is still under way. */
  rotationRequestedAt?: string;
}

/** The planner's next step for a journal, and when it falls due. */
export function describeRotation(journal: CaJournal, policy: RotationPolicy, now: number): RotationScheduleView {
  const plan = planRotation(journal, policy, now);
  const view: RotationScheduleView = { kind: journal.kind };
  if (plan.due) view.next = { step: plan.due.type, slot: plan.due.slot, at: new Date(now).toISOString(), due: true };
  else if (plan.next) view.next = { step: plan.next.step.type, slot: plan.next.step.slot, at: new Date(plan.next.at).toISOString(), due: false };
  if (journal.rotationRequestedAt !== undefined) view.rotationRequestedAt = new Date(journal.rotationRequestedAt).toISOString();
  return view;
}
