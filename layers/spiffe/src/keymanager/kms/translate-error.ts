import { awsErrorName } from "../../aws/aws-error.js";
import { KeyManagerError, KeyNotFoundError, KmsThrottledError } from "../../errors.js";
import type { TesseraError } from "../../errors.js";
import { isRetryable } from "./retry.js";

/**
 * Turn a failed KMS call into a Tessera error: still throttled after the retries ->
 * `KmsThrottledError`, no such key -> `KeyNotFoundError`, anything else -> `KeyManagerError`.
 * Messages name the operation and the key id, never the data; the SDK error is the `cause`.
 */
export function translateKmsError(err: unknown, operation: string, id: string | undefined, attempts: number): TesseraError {
  const name = awsErrorName(err) ?? "unknown error";
  const forKey = id === undefined ? "" : ` for key ${id}`;
  if (isRetryable(err)) {
    return new KmsThrottledError(`keymanager: KMS ${operation}${forKey} still failing after ${attempts} tries (${name})`, {
      cause: err,
    });
  }
  if (name === "NotFoundException") return new KeyNotFoundError(`keymanager: KMS ${operation}: no key${forKey}`, { cause: err });
  return new KeyManagerError(`keymanager: KMS ${operation}${forKey} failed (${name})`, { cause: err });
}
