import type { TrustAnchorReading } from "../bundlepublisher/index.js";
import type { Clock } from "../clock.js";

/**
 * How long the admin function reuses what it read from Roles Anywhere: the console's CA page reads
 * the trust anchor on every load, and Roles Anywhere allows about one control-plane call a second.
 */
export const TRUST_ANCHOR_READ_TTL_MS = 10_000;

/**
 * `read`, remembered for `ttlMs` after it began (by `clock`); calls while it is under way share it.
 * One entry (one trust anchor per issuer), so the memory is bounded; a failed read is not remembered.
 */
export function cacheTrustAnchorReads(
  read: () => Promise<TrustAnchorReading>,
  clock: Clock,
  ttlMs: number = TRUST_ANCHOR_READ_TTL_MS,
): () => Promise<TrustAnchorReading> {
  let cached: { at: number; reading: Promise<TrustAnchorReading> } | undefined;
  return () => {
    const now = clock.now().getTime();
    if (cached !== undefined && now >= cached.at && now - cached.at < ttlMs) return cached.reading;
    const entry = { at: now, reading: read() };
    cached = entry;
    entry.reading.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return entry.reading;
  };
}
