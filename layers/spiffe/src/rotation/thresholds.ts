import type { JournalSlot } from "../store/types.js";

/** Timing rules of one key kind's rotation. */
export interface RotationPolicy {
  /** The longest SVID the kind's key signs (X.509 or JWT maximum TTL), seconds. */
  maxSvidTtlSeconds: number;
  /** Clock-skew allowance of relying parties (the configured backdate), seconds. */
  skewSeconds: number;
  /** The bundle's `spiffe_refresh_hint`, seconds. */
  refreshHintSeconds: number;
  /** The fraction of the active key's life after which status and ticks warn (`TESSERA_CA_WARN_FRACTION`); default `DEFAULT_WARN_FRACTION`. */
  warnFraction?: number;
  /**
   * True when the kind is turned off (JWT-SVIDs: `TESSERA_JWT_SVIDS=false`): no key is made, and the
   * keys left leave the journal (their keys retired) once nothing they signed can be presented.
   */
  disabled?: boolean;
}

/** The next key is never prepared before the active key has lived 1/PREPARE_DIVISOR of its life (SPIRE prepares then). */
export const PREPARE_DIVISOR = 2;
/**
 * The next key is prepared this long before the active key's activation point (or six refresh
 * hints, if longer): published well before it signs, and a day to retry a failing prepare, without
 * paying for two keys most of the key's life as preparing at half-life does.
 */
export const PREPARE_LEAD_MS = 24 * 60 * 60_000;
/** The prepared key becomes active when 1/ACTIVATE_DIVISOR of the active key's life is left (SPIRE: a sixth). */
export const ACTIVATE_DIVISOR = 6;
/** A prepared key is published at least this many bundle refresh hints before it signs anything. */
export const MIN_PUBLISHED_REFRESH_HINTS = 6;
/** How long an issuer may go on signing with a key after it is retired: its authority cache (30 s), rounded up. */
export const SIGNING_LAG_MS = 60_000;

/** Warn once the active key has lived this fraction of its life: rotation should have replaced it at 5/6. */
export const DEFAULT_WARN_FRACTION = 0.9;

function lifetimeOf(slot: JournalSlot): number {
  return slot.notAfter - slot.notBefore;
}

/**
 * When the next key should be prepared: `PREPARE_LEAD_MS` (or six refresh hints, if longer) before
 * the active key reaches its activation point, and never before half-way through its life.
 */
export function prepareNextAt(active: JournalSlot, policy: RotationPolicy): number {
  const half = active.notBefore + Math.floor(lifetimeOf(active) / PREPARE_DIVISOR);
  const lead = Math.max(PREPARE_LEAD_MS, MIN_PUBLISHED_REFRESH_HINTS * policy.refreshHintSeconds * 1000);
  return Math.max(half, sixthLeftAt(active) - lead);
}

function sixthLeftAt(active: JournalSlot): number {
  return active.notAfter - Math.floor(lifetimeOf(active) / ACTIVATE_DIVISOR);
}

/** When a prepared key has been published long enough (several refresh hints) to be trusted everywhere. */
export function publishedLongEnoughAt(prepared: JournalSlot, policy: RotationPolicy): number {
  return prepared.preparedAt + MIN_PUBLISHED_REFRESH_HINTS * policy.refreshHintSeconds * 1000;
}

/** When the prepared key should become active: a sixth of the active key's life left, and published long enough. */
export function activateNextAt(active: JournalSlot, prepared: JournalSlot, policy: RotationPolicy): number {
  return Math.max(sixthLeftAt(active), publishedLongEnoughAt(prepared, policy));
}

/**
 * When no SVID the old key signed can still be presented: issued at the latest `SIGNING_LAG_MS`
 * after retirement, living at most the maximum TTL and never past the key's own notAfter, plus skew.
 */
export function dropOldAt(old: JournalSlot, policy: RotationPolicy): number {
  const retiredAt = old.retiredAt ?? old.notAfter;
  const lastSvidExpiry = Math.min(retiredAt + SIGNING_LAG_MS + policy.maxSvidTtlSeconds * 1000, old.notAfter);
  return lastSvidExpiry + policy.skewSeconds * 1000;
}

/** True when the next key should be prepared now. */
export function shouldPrepareNext(active: JournalSlot, policy: RotationPolicy, now: number): boolean {
  return now >= prepareNextAt(active, policy);
}

/** True when the prepared key should become active now. */
export function shouldActivateNext(active: JournalSlot, prepared: JournalSlot, policy: RotationPolicy, now: number): boolean {
  return now >= activateNextAt(active, prepared, policy);
}

/** True when the old key may leave the bundle (and its slot be reused, which deletes the key). */
export function shouldDropOld(old: JournalSlot, policy: RotationPolicy, now: number): boolean {
  return now >= dropOldAt(old, policy);
}

/** When status and ticks start warning that the active key nears its end (rotation has not replaced it). */
export function warnAt(active: JournalSlot, policy: RotationPolicy): number {
  return active.notBefore + Math.floor(lifetimeOf(active) * (policy.warnFraction ?? DEFAULT_WARN_FRACTION));
}

/** True when the active key has lived past the warning fraction of its life. */
export function shouldWarn(active: JournalSlot, policy: RotationPolicy, now: number): boolean {
  return now >= warnAt(active, policy);
}
