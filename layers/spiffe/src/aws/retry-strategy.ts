import { AdaptiveRetryStrategy, StandardRetryStrategy } from "@smithy/core/retry";
import type { RetryStrategyV2, StandardRetryBackoffStrategy } from "@smithy/types";
import { backoffDelayMs, type BackoffPolicy } from "../backoff.js";

/**
 * How an AWS SDK client retries throttling, 5xx and network failures: the SDK's own retry
 * middleware and strategy, told how many tries and how to back off.
 */
export interface AwsRetryOptions {
  /**
   * `standard` (the SDK's default: retry quota, backoff) or `adaptive` (also slows this client's
   * own sending rate after throttling). Default `standard`.
   */
  mode?: "standard" | "adaptive";
  /** Tries in all, the first included; 1 turns retries off. Default 3 (4 for KMS). */
  maxAttempts?: number;
  /** The wait before each retry. Default 100 ms doubling up to 2 s, equal jitter. */
  backoff?: BackoffPolicy;
}

/** Tessera's retry backoff for AWS calls: short, since a Lambda answers within API Gateway's timeout. */
export const AWS_RETRY_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ baseMs: 100, maxMs: 2000, jitter: "equal" });

/** The SDK client settings of `options`: the retry strategy and its number of tries. */
export function sdkRetryConfig(options: AwsRetryOptions, defaultAttempts: number): { maxAttempts: number; retryStrategy: RetryStrategyV2 } {
  const maxAttempts = options.maxAttempts ?? defaultAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new TypeError("aws: retry.maxAttempts must be an integer of at least 1");
  const policy = options.backoff ?? AWS_RETRY_BACKOFF;
  // The SDK counts retries from 0 and sets a delay base per error kind; one policy serves all kinds.
  const backoff: StandardRetryBackoffStrategy = {
    computeNextBackoffDelay: (retries) => backoffDelayMs(retries + 1, policy),
    setDelayBase: () => undefined,
  };
  const retryStrategy =
    options.mode === "adaptive" ? new AdaptiveRetryStrategy(maxAttempts, { backoff }) : new StandardRetryStrategy({ maxAttempts, backoff });
  return { maxAttempts, retryStrategy };
}
