import type { JournalKind, JournalSlot } from "../store/types.js";
import { createCaCertificate, encodeCertificatePem } from "../x509svid/index.js";
import { keyIdForSlot } from "./key-ids.js";
import type { AuthorityDeps, AuthorityPolicy } from "./types.js";

/** How far a new CA certificate's notBefore is set back, for relying parties whose clocks run late. */
const CA_BACKDATE_MS = 60_000;

/** Which slot to fill, and how. */
export interface CreateSlotOptions {
  slot: JournalSlot["slot"];
  status: "prepared" | "active";
  keyGeneration: number;
}

/**
 * A new key for a journal slot, made with the key manager (which replaces, and schedules for
 * deletion, any key the slot's id held), and for X.509 its self-signed CA certificate.
 */
export async function createAuthoritySlot(
  kind: JournalKind,
  deps: Pick<AuthorityDeps, "keys" | "clock">,
  policy: AuthorityPolicy,
  options: CreateSlotOptions,
): Promise<JournalSlot> {
  const now = deps.clock.now().getTime();
  const keyId = keyIdForSlot(kind, options.slot);
  const key = await deps.keys.generateKey(keyId, policy.keySpec);
  const notAfter = now + (kind === "x509" ? policy.caTtlSeconds : policy.jwtKeyTtlSeconds) * 1000;
  const slot: JournalSlot = {
    slot: options.slot,
    status: options.status,
    keyId,
    keyGeneration: options.keyGeneration,
    notBefore: now,
    notAfter,
    preparedAt: now,
  };
  if (options.status === "active") slot.activatedAt = now;
  if (kind === "x509") {
    const certificate = await createCaCertificate({
      key,
      trustDomain: policy.trustDomain,
      notBefore: new Date(now - CA_BACKDATE_MS),
      notAfter: new Date(notAfter),
    });
    slot.certificatePem = encodeCertificatePem(certificate);
  } else {
    slot.publicKeySpki = key.publicKey.export({ format: "der", type: "spki" }).toString("base64");
  }
  return slot;
}
