import { AuthorityUnavailableError, RequestInvalidError } from "../errors.js";
import {
  MAX_EMERGENCY_REASON_LENGTH,
  runEmergencyRotation,
  type EmergencyRequestOutcome,
  type EmergencyRotationResult,
  type RotationStep,
} from "../rotation/index.js";
import type { JournalKind } from "../store/types.js";
import { getCaStatus, rotationKindsOf, type CaStatus } from "./ca-status.js";
import type { EMERGENCY_CA_ROTATION_STORE } from "./store-parts.js";
import type { AdminActor, AdminDepsFor } from "./types.js";

/** An admin's emergency rotation request (typed by the API contract's schema, or the rotate function's input check). */
export interface EmergencyRotationInput {
  /** `x509`, `jwt` or `all` (the default). */
  kind?: string;
  reason?: string;
}

/** What an emergency rotation did, and the state it left. */
export interface EmergencyRotationView {
  outcomes: Partial<Record<JournalKind, EmergencyRequestOutcome>>;
  steps: RotationStep[];
  /** Kinds still under way: carried out by the next rotation ticks. Empty once everything is done. */
  pending: JournalKind[];
  /** Each publisher and whether it wrote anything, on the last publication. */
  published: EmergencyRotationResult["published"];
  status: CaStatus;
}

const DEFAULT_REASON = "emergency rotation";
// Printable text only: the reason lands in logs and the audit trail.
const CONTROL = /[\u0000-\u001f\u007f]/;

function reasonOf(reason: string | undefined): string {
  if (reason === undefined) return DEFAULT_REASON;
  if (reason.trim() === "" || reason.length > MAX_EMERGENCY_REASON_LENGTH || CONTROL.test(reason)) {
    throw new RequestInvalidError(`admin: reason must be printable text of 1 to ${MAX_EMERGENCY_REASON_LENGTH} characters`);
  }
  return reason;
}

/**
 * The kinds an emergency names. With JWT-SVIDs turned off, a JWT key still in the journal (published
 * until the JWT-SVIDs it signed have expired) can be compromised all the same: an emergency naming
 * `jwt` or `all` then drops it at once and makes no new one. Only with no JWT key left is naming
 * `jwt` refused, as for a plain rotation.
 */
async function emergencyKindsOf(deps: AdminDepsFor<typeof EMERGENCY_CA_ROTATION_STORE>, kind: string | undefined) {
  if (deps.issuerPolicy.jwtSvids !== false) return rotationKindsOf(deps, kind);
  const held = ((await deps.store.getJournal("jwt"))?.slots.length ?? 0) > 0;
  return rotationKindsOf(held ? { issuerPolicy: { ...deps.issuerPolicy, jwtSvids: true } } : deps, kind);
}

/**
 * `tessera ca rotate --emergency`: every key of the chosen kinds counts as compromised; a new key is
 * made and activated and the compromised ones leave the published bundle before this returns (see
 * `runEmergencyRotation`). Input is checked before anything is written.
 */
export async function emergencyCaRotation(
  deps: AdminDepsFor<typeof EMERGENCY_CA_ROTATION_STORE>,
  input: EmergencyRotationInput,
  actor: AdminActor,
): Promise<EmergencyRotationView> {
  const kinds = await emergencyKindsOf(deps, input.kind);
  const request = { reason: reasonOf(input.reason), requestedBy: actor };
  if (!deps.rotation)
    throw new AuthorityUnavailableError(
      "admin: this process cannot make keys or publish the bundle; run the emergency rotation through the admin API",
    );
  const result = await runEmergencyRotation(deps.rotation, kinds, request);
  const { outcomes, steps, pending, published } = result;
  return { outcomes, steps, pending, published, status: await getCaStatus(deps) };
}
