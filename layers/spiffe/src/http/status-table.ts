/** The one table from error codes to HTTP statuses. Anything not here is a 500. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<string, number>> = {
  ERR_REQUEST_INVALID: 400,
  ERR_SPIFFEID_INVALID: 400,
  ERR_TRUST_DOMAIN_INVALID: 400,
  ERR_CSR_INVALID: 400,
  ERR_KEY_UNSUPPORTED: 400,
  ERR_JWTSVID_INVALID: 400,
  ERR_BUNDLE_INVALID: 400,
  ERR_POLICY_INVALID: 400,
  ERR_CREDENTIAL_INVALID: 401,
  ERR_JOIN_TOKEN_INVALID: 401,
  ERR_JOIN_TOKEN_USED: 401,
  ERR_REPLAY: 401,
  ERR_UNAUTHORIZED: 401,
  ERR_BOT_LOCKED: 403,
  ERR_GENERATION_MISMATCH: 403,
  ERR_SPIFFEID_NOT_ALLOWED: 403,
  ERR_DNS_NAME_NOT_ALLOWED: 403,
  ERR_JOIN_METHOD_NOT_ALLOWED: 403,
  ERR_BOT_NOT_FOUND: 404,
  ERR_BOT_INSTANCE_NOT_FOUND: 404,
  ERR_NOT_FOUND: 404,
  ERR_BOT_EXISTS: 409,
  ERR_STORE_CONFLICT: 409,
  ERR_JOURNAL_CONFLICT: 409,
  ERR_BODY_TOO_LARGE: 413,
  ERR_KMS_THROTTLED: 503,
  ERR_AUTHORITY_UNAVAILABLE: 503,
};

/** Seconds a client should wait before retrying a 503, by code. */
export const RETRY_AFTER_SECONDS_BY_CODE: Readonly<Record<string, number>> = {
  ERR_KMS_THROTTLED: 2,
  ERR_AUTHORITY_UNAVAILABLE: 30,
};

/** The HTTP status for an error code; 500 for anything unknown. */
export function statusForCode(code: string | undefined): number {
  return (code !== undefined && HTTP_STATUS_BY_CODE[code]) || 500;
}
