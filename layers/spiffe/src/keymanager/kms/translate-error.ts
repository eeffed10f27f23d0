import { awsErrorName } from "../../aws/aws-error.js";
import { KeyManagerError, KeyNotFoundError, KmsThrottledError } from "../../errors.js";
import type { TesseraError } from "../../errors.js";
import { isThrottlingError, isTransientError } from "@smithy/core/retry";

/** True for what the SDK's retry strategy retries: throttling, 5xx from KMS, timeouts, network failures. */
function isRetryable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const sdkError = err as Parameters<typeof isTransientError>[0];
  return isThrottlingError(sdkError) || isTransientError(sdkError);
}

/** How many tries the SDK made, as its retry middleware recorded on the error. */
function attemptsOf(err: unknown): number | undefined {
  const attempts = (err as { $metadata?: { attempts?: unknown } }).$metadata?.attempts;
  return typeof attempts === "number" ? attempts : undefined;
}

/**
 * Turn a failed KMS call into a Tessera error: still throttled after the SDK's retries ->
 * `KmsThrottledError`, no such key -> `KeyNotFoundError`, anything else -> `KeyManagerError`.
 * Messages name the operation and the key id, never the data; the SDK error is the `cause`.
 */
export function translateKmsError(err: unknown, operation: string, id: string | undefined): TesseraError {
  const name = awsErrorName(err) ?? "unknown error";
  const forKey = id === undefined ? "" : ` for key ${id}`;
  if (isRetryable(err)) {
    const attempts = attemptsOf(err);
    const tries = attempts === undefined ? "the retries" : `${attempts} ${attempts === 1 ? "try" : "tries"}`;
    return new KmsThrottledError(`keymanager: KMS ${operation}${forKey} still failing after ${tries} (${name})`, {
      cause: err,
    });
  }
  if (name === "NotFoundException") return new KeyNotFoundError(`keymanager: KMS ${operation}: no key${forKey}`, { cause: err });
  return new KeyManagerError(`keymanager: KMS ${operation}${forKey} failed (${name})`, { cause: err });
}
