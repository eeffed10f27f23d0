/**
 * How a random share of each wait is drawn (the names of the AWS Architecture Blog's "Exponential
 * Backoff And Jitter"): `full` waits anywhere from 0 to the ceiling, `equal` from half the ceiling
 * to all of it, `none` exactly the ceiling.
 */
export type Jitter = "full" | "equal" | "none";

/** Exponential backoff: the ceiling starts at `baseMs` and doubles with every retry up to `maxMs`. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  jitter: Jitter;
}

/**
 * How long to wait before retry number `retry` (1 for the first retry): a random share, by
 * `policy.jitter`, of `min(maxMs, baseMs * 2^(retry - 1))`. `random` is for tests.
 */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(retry, 1) - 1, 30));
  switch (policy.jitter) {
    case "none":
      return ceiling;
    case "full":
      return random() * ceiling;
    case "equal":
      return ceiling / 2 + random() * (ceiling / 2);
  }
}
