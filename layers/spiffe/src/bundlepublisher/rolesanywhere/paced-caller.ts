import { awsErrorName, awsHttpStatus, describeAwsError } from "../../aws/aws-error.js";
import { backoffDelayMs, type BackoffPolicy } from "../../backoff.js";
import { BundlePublishError } from "../errors.js";

/** How Roles Anywhere calls are spaced and retried. */
export interface PacingOptions {
  /** Least time between two calls, ms: the control plane allows about one a second. Default 1100. */
  minIntervalMs?: number;
  /** Tries per call, the first included. Default 5. */
  maxAttempts?: number;
  /** The first backoff after throttling; each later one doubles. Default 1000 ms. */
  baseDelayMs?: number;
  /** No backoff is longer. Default 8000 ms. */
  maxDelayMs?: number;
  /** How to wait; tests pass a fake. Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** The current time, ms. Default `Date.now`. */
  now?: () => number;
}

const THROTTLED = new Set(["ThrottlingException", "TooManyRequestsException", "ThrottledException", "RequestLimitExceeded"]);
const TRANSIENT = new Set(["InternalServerException", "ServiceUnavailableException", "TimeoutError", "RequestTimeout"]);

/** True for throttling and server-side or network failures that a later try may not hit. */
export function isRetryableRolesAnywhereError(err: unknown): boolean {
  const name = awsErrorName(err) ?? "";
  const status = awsHttpStatus(err);
  return THROTTLED.has(name) || TRANSIENT.has(name) || status === 429 || (status !== undefined && status >= 500);
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs IAM Roles Anywhere control-plane calls one at a time, at least `minIntervalMs` apart, and
 * retries throttling with exponential backoff and equal jitter. Failures become `BundlePublishError`s
 * naming the operation; the SDK error is the `cause`.
 */
export class PacedCaller {
  readonly #minIntervalMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: BackoffPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  #lastCallAt: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: PacingOptions = {}) {
    this.#minIntervalMs = options.minIntervalMs ?? 1100;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#backoff = { baseMs: options.baseDelayMs ?? 1000, maxMs: options.maxDelayMs ?? 8000, jitter: "equal" };
    this.#sleep = options.sleep ?? defaultSleep;
    this.#now = options.now ?? Date.now;
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1) {
      throw new TypeError("bundlepublisher: maxAttempts must be an integer of at least 1");
    }
  }

  /** Run `call` (the Roles Anywhere `operation`) after the calls queued before it. */
  call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(() => this.#attempts(operation, call));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #attempts<T>(operation: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.#pace();
      try {
        return await call();
      } catch (err) {
        if (attempt >= this.#maxAttempts || !isRetryableRolesAnywhereError(err)) {
          const tries = attempt > 1 ? ` after ${attempt} tries` : "";
          throw new BundlePublishError(`bundlepublisher: Roles Anywhere ${operation} failed${tries} (${describeAwsError(err)})`, {
            cause: err,
          });
        }
        await this.#sleep(backoffDelayMs(attempt, this.#backoff));
      }
    }
  }

  async #pace(): Promise<void> {
    if (this.#lastCallAt !== undefined) {
      const wait = this.#lastCallAt + this.#minIntervalMs - this.#now();
      if (wait > 0) await this.#sleep(wait);
    }
    this.#lastCallAt = this.#now();
  }
}
