import type { CaJournal, JournalKind } from "../store/types.js";
import { planRotation, type RotationStep } from "./plan-rotation.js";
import { shouldWarn, type RotationPolicy } from "./thresholds.js";

/** What `tessera ca status` shows of one journal's schedule. */
export interface RotationScheduleView {
  kind: JournalKind;
  /** The planner's next step and its slot; absent when there is nothing to plan (a kind turned off, with no key left). */
  next?: { step: RotationStep["type"]; slot: RotationStep["slot"]; at: string; due: boolean };
  /** When a manual rotation was asked for and is still under way. */
  rotationRequestedAt?: string;
  /** An emergency rotation still under way (a new key could not be made yet): when, why, who. */
  emergency?: { requestedAt: string; reason: string; requestedBy: string };
  /** Set once the active key has lived past the warning fraction of its life: rotation is not running. */
  warning?: string;
}

const WHAT: Record<JournalKind, string> = { x509: "X.509 CA", jwt: "JWT key" };

/** Why the active key of `journal` needs attention, once it has lived past the warning fraction of its life. */
export function describeExpiryWarning(journal: CaJournal, policy: RotationPolicy, now: number): string | undefined {
  const active = journal.slots.find((s) => s.status === "active");
  if (!active || !shouldWarn(active, policy, now)) return undefined;
  const lived = Math.floor(((now - active.notBefore) / (active.notAfter - active.notBefore)) * 100);
  const end = new Date(active.notAfter).toISOString();
  const state =
    now >= active.notAfter
      ? `expired at ${end}: issuance answers 503 ERR_AUTHORITY_EXPIRED`
      : `has lived ${lived}% of its life and expires at ${end}`;
  return `the active ${WHAT[journal.kind]} (slot ${active.slot}) ${state}; rotation has not replaced it: check the rotation tick's errors`;
}

/** The planner's next step for a journal, and when it falls due. */
export function describeRotation(journal: CaJournal, policy: RotationPolicy, now: number): RotationScheduleView {
  const plan = planRotation(journal, policy, now);
  const view: RotationScheduleView = { kind: journal.kind };
  if (plan.due) view.next = { step: plan.due.type, slot: plan.due.slot, at: new Date(now).toISOString(), due: true };
  else if (plan.next)
    view.next = { step: plan.next.step.type, slot: plan.next.step.slot, at: new Date(plan.next.at).toISOString(), due: false };
  if (journal.rotationRequestedAt !== undefined) view.rotationRequestedAt = new Date(journal.rotationRequestedAt).toISOString();
  if (journal.emergency) {
    const { requestedAt, reason, requestedBy } = journal.emergency;
    view.emergency = { requestedAt: new Date(requestedAt).toISOString(), reason, requestedBy };
  }
  const warning = describeExpiryWarning(journal, policy, now);
  if (warning) view.warning = warning;
  return view;
}
