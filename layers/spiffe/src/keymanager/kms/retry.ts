/** How KMS calls are retried when KMS throttles or the network times out. */
export interface KmsRetryPolicy {
  /** Tries in all, the first included. Default 4. */
  maxAttempts?: number;
  /** The first backoff; each later one doubles. Default 100 ms. */
  baseDelayMs?: number;
  /** No backoff is longer. Default 2000 ms. */
  maxDelayMs?: number;
  /** How to wait; tests pass a fake. Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
}

/** A retry policy with every field filled in. */
export type Backoff = Required<KmsRetryPolicy>;

const RETRYABLE_NAMES = new Set([
  "ThrottlingException",
  "LimitExceededException",
  "KMSInternalException",
  "DependencyTimeoutException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);
const RETRYABLE_CODES = new Set(["ETIMEDOUT", "ECONNRESET", "ESOCKETTIMEDOUT", "EPIPE"]);

/** True when trying the same call again later may succeed: throttling, KMS-side or network timeouts. */
export function isRetryable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { name, code } = err as { name?: unknown; code?: unknown };
  return RETRYABLE_NAMES.has(String(name)) || RETRYABLE_CODES.has(String(code));
}

/** Backoff before retry number `retry` (1-based): exponential, capped, with equal jitter. */
function backoffDelay(retry: number, policy: Pick<Backoff, "baseDelayMs" | "maxDelayMs">): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Run `call` until it succeeds, fails with an error that is not retryable, or has failed
 * `maxAttempts` times; rethrows the last error.
 */
export async function withRetry<T>(call: () => Promise<T>, backoff: Backoff): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= backoff.maxAttempts || !isRetryable(err)) throw err;
      await backoff.sleep(backoffDelay(attempt, backoff));
    }
  }
}
