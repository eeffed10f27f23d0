import { X509Certificate, createPublicKey } from "node:crypto";
import { recordAudit, type AuditDeps } from "../audit/index.js";
import { thumbprintOf } from "../bundle/index.js";
import type { AuditEvent, AuditEventType, CaJournal, JournalKind, JournalSlot } from "../store/types.js";
import type { RotationStep } from "./plan-rotation.js";

/** The audit event type of each rotation step, per key kind. */
export const ROTATION_AUDIT_TYPES: Readonly<Record<JournalKind, Readonly<Record<RotationStep["type"], AuditEventType>>>> = {
  x509: { prepare: "ca_prepared", activate: "ca_rotated", deactivate: "ca_rotated", drop: "ca_retired" },
  jwt: { prepare: "jwt_key_prepared", activate: "jwt_key_rotated", deactivate: "jwt_key_rotated", drop: "jwt_key_retired" },
};

function reasonOf(step: RotationStep, before: CaJournal): string {
  if (before.emergency) return "emergency";
  if (step.type === "deactivate" || (step.type === "drop" && step.turnedOff)) return "turned_off";
  return before.rotationRequestedAt === undefined ? "scheduled" : "requested";
}

async function keyOf(slot: JournalSlot): Promise<Pick<AuditEvent, "keyThumbprint" | "serialOrJti">> {
  if (slot.certificatePem) {
    const certificate = new X509Certificate(slot.certificatePem);
    return { keyThumbprint: await thumbprintOf(certificate.publicKey), serialOrJti: certificate.serialNumber.toLowerCase() };
  }
  if (slot.publicKeySpki)
    return {
      keyThumbprint: await thumbprintOf(createPublicKey({ key: Buffer.from(slot.publicKeySpki, "base64"), format: "der", type: "spki" })),
    };
  return {};
}

/**
 * Record what a rotation step did (`ca_prepared`, `ca_rotated`, `ca_retired` and the `jwt_key_*`
 * equivalents): the slot, key id and generation, the key's thumbprint (and a CA's serial), its end,
 * whether the schedule, a `tessera ca rotate` request, an emergency or JWT-SVIDs turned off set it
 * off (`turned_off`: a deactivation, the active key retired with none after it, audited as a
 * rotation, and the drops after it), and for an activation or deactivation the slot it retired.
 * `before` is the journal the step was planned from, `after` the one it wrote.
 */
export async function auditRotationStep(deps: AuditDeps, step: RotationStep, before: CaJournal, after: CaJournal): Promise<AuditEvent> {
  const slot = (step.type === "drop" ? before : after).slots.find((s) => s.slot === step.slot);
  const retired = step.type === "activate" || step.type === "deactivate" ? before.slots.find((s) => s.status === "active") : undefined;
  const detail: Record<string, string> = { kind: step.kind, slot: step.slot, reason: reasonOf(step, before) };
  if (slot) Object.assign(detail, { key_id: slot.keyId, key_generation: String(slot.keyGeneration) });
  if (retired) detail.retired_slot = retired.slot;
  return recordAudit(deps, {
    type: ROTATION_AUDIT_TYPES[step.kind][step.type],
    time: after.updatedAt,
    ...(slot ? { ...(await keyOf(slot)), expiresAt: slot.notAfter } : {}),
    detail,
  });
}
