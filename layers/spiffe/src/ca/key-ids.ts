import type { JournalKind, JournalSlot } from "../store/types.js";

/** The key manager id of a journal slot, e.g. `x509-ca-a` or `jwt-b`. */
export function keyIdForSlot(kind: JournalKind, slot: JournalSlot["slot"]): string {
  return kind === "x509" ? `x509-ca-${slot}` : `jwt-${slot}`;
}
