import { JournalConflictError, ReplayError } from "../errors.js";
import type { CaJournal, JournalKind, JournalSlot } from "../store/types.js";
import { createCaCertificate, encodeCertificatePem } from "../x509svid/index.js";
import { keyIdForSlot } from "./key-ids.js";
import type { AuthorityDeps, AuthorityPolicy } from "./types.js";

const LEASE_MS = 30_000;
const WAIT_STEP_MS = 250;

/** The result of ensuring one journal. */
export interface EnsureAuthorityResult {
  journal: CaJournal;
  /** True when this call made the authority. */
  created: boolean;
}

async function makeFirstSlot(kind: JournalKind, deps: AuthorityDeps, policy: AuthorityPolicy): Promise<JournalSlot> {
  const now = deps.clock.now();
  const keyId = keyIdForSlot(kind, "a");
  const key = await deps.keys.generateKey(keyId, policy.keySpec);
  const ttl = kind === "x509" ? policy.caTtlSeconds : policy.jwtKeyTtlSeconds;
  const notAfter = new Date(now.getTime() + ttl * 1000);
  const slot: JournalSlot = {
    slot: "a",
    status: "active",
    keyId,
    keyGeneration: 1,
    notBefore: now.getTime(),
    notAfter: notAfter.getTime(),
    preparedAt: now.getTime(),
    activatedAt: now.getTime(),
  };
  if (kind === "x509") {
    const certificate = await createCaCertificate({
      key,
      trustDomain: policy.trustDomain,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter,
    });
    slot.certificatePem = encodeCertificatePem(certificate);
  } else {
    slot.publicKeySpki = key.publicKey.export({ format: "der", type: "spki" }).toString("base64");
  }
  return slot;
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
export async function ensureAuthority(
  kind: JournalKind,
  deps: AuthorityDeps,
  policy: AuthorityPolicy,
): Promise<EnsureAuthorityResult> {
  const existing = await deps.journals.getJournal(kind);
  if (existing) return { journal: existing, created: false };
  const now = deps.clock.now().getTime();
  try {
    await deps.leases.claimOnce("authority-lease", kind, now + LEASE_MS, now);
  } catch (err) {
    if (err instanceof ReplayError) return { journal: await waitForJournal(kind, deps), created: false };
    throw err;
  }
  const slot = await makeFirstSlot(kind, deps, policy);
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

/** Ensure both the X.509 CA and the JWT key exist; returns both journals. */
export async function ensureAuthorities(
  deps: AuthorityDeps,
  policy: AuthorityPolicy,
): Promise<{ x509: EnsureAuthorityResult; jwt: EnsureAuthorityResult }> {
  const x509 = await ensureAuthority("x509", deps, policy);
  const jwt = await ensureAuthority("jwt", deps, policy);
  return { x509, jwt };
}
