import { backoffDelayMs, type BackoffPolicy } from "#tessera/core";
import { IssuerApiError } from "./issuer-client.js";

/** The agent's retries: equal jitter, the n-th waits half to all of min(60 s, 2^n s). */
const AGENT_RETRY_BACKOFF: BackoffPolicy = { baseMs: 2000, maxMs: 60_000, jitter: "equal" };

/** The longest `Retry-After` the agent honours, so that an issuer cannot park it for good. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** The least wait the issuer asked for with `Retry-After` on the answer that failed (at most {@link MAX_RETRY_AFTER_MS}); 0 if none. */
export function retryAfterFloorMs(err: unknown): number {
  if (!(err instanceof IssuerApiError) || err.retryAfterMs === undefined) return 0;
  return Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS);
}

/**
 * How long to wait after the `failures`-th failure in a row (1 for the first) before trying again:
 * the jittered backoff, or the issuer's `Retry-After` on `err` when that is longer. `random` is for tests.
 */
export function retryDelayMs(failures: number, err?: unknown, random: () => number = Math.random): number {
  return Math.max(Math.round(backoffDelayMs(failures, AGENT_RETRY_BACKOFF, random)), retryAfterFloorMs(err));
}

/** Renewal at half the lifetime, moved by up to a tenth of it either way. */
const RENEWAL_AT = 0.5;
const RENEWAL_JITTER = 0.1;

/**
 * When to renew something valid from `issuedAt` to `expiresAt`: at about half its lifetime, moved by
 * up to a tenth of the lifetime either way so that many agents do not renew in the same second.
 */
export function renewalDelayMs(issuedAt: number, expiresAt: number, now: number, random: () => number = Math.random): number {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  const at = issuedAt + lifetime * (RENEWAL_AT - RENEWAL_JITTER + random() * 2 * RENEWAL_JITTER);
  return Math.max(0, at - now);
}

/** The earliest and latest times `renewalDelayMs` can pick: a renewal joined to another's batch stays within them. */
export function renewalWindowOf(issuedAt: number, expiresAt: number): { earliest: number; latest: number } {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  return { earliest: issuedAt + lifetime * (RENEWAL_AT - RENEWAL_JITTER), latest: issuedAt + lifetime * (RENEWAL_AT + RENEWAL_JITTER) };
}
