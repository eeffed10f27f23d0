import { TesseraError } from "../errors.js";

/**
 * The AWS error name (`ThrottlingException`, `NotFound`, ...) of `err`, or of the SDK error a
 * Tessera error carries as its `cause`, if it has one.
 */
export function awsErrorName(err: unknown): string | undefined {
  const target = err instanceof TesseraError && err.cause !== undefined ? err.cause : err;
  const name = (target as { name?: unknown } | null | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

/** The HTTP status of a failed AWS call, if the SDK recorded one. */
export function awsHttpStatus(err: unknown): number | undefined {
  const status = (err as { $metadata?: { httpStatusCode?: unknown } } | null | undefined)?.$metadata?.httpStatusCode;
  return typeof status === "number" ? status : undefined;
}

const MAX_DETAIL = 200;

/**
 * `err` for an error message: its name and, when it says more, its message on one line, at most
 * 200 characters (`AccessDeniedException: not authorized to perform rolesanywhere:CreateTrustAnchor`,
 * `Error: getaddrinfo ENOTFOUND rolesanywhere.us-east-1.amazonaws.com`). AWS error messages name
 * the action and resource, never credentials.
 */
export function describeAwsError(err: unknown): string {
  const name = awsErrorName(err) ?? "unknown error";
  const raw = (err as { message?: unknown } | null | undefined)?.message;
  const message = typeof raw === "string" ? raw.replace(/\s+/g, " ").trim() : "";
  const detail = message === "" || message === name ? name : `${name}: ${message}`;
  return detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL - 3)}...` : detail;
}
