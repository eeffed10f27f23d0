import { backoffDelayMs, type BackoffPolicy } from "#tessera/core";

/** The agent's retries: equal jitter, the n-th waits half to all of min(60 s, 2^n s). */
const AGENT_RETRY_BACKOFF: BackoffPolicy = { baseMs: 2000, maxMs: 60_000, jitter: "equal" };

/** How long to wait after the `failures`-th failure in a row (1 for the first) before trying again. */
export function retryDelayMs(failures: number): number {
  return Math.round(backoffDelayMs(failures, AGENT_RETRY_BACKOFF));
}

/**
 * When to renew something valid from `issuedAt` to `expiresAt`: at about half its lifetime, moved by
 * up to a tenth of the lifetime either way so that many agents do not renew in the same second.
 */
export function renewalDelayMs(issuedAt: number, expiresAt: number, now: number, random: () => number = Math.random): number {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  const at = issuedAt + lifetime * (0.5 + (random() * 0.2 - 0.1));
  return Math.max(0, at - now);
}
