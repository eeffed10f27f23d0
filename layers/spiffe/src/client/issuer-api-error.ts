/** An error answer from the issuer, with its stable code (`ERR_SPIFFEID_NOT_ALLOWED`...) and HTTP status. */
export class IssuerApiError extends Error {
  readonly code: string;
  readonly status: number;
  /**
   * The answer's `Retry-After` in milliseconds, when it came in the seconds form (`Retry-After: 2`);
   * undefined without the header or with another form. As the issuer sent it: the caller bounds it.
   */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, code: string, message: string, options: { retryAfterMs?: number } = {}) {
    super(message);
    this.name = "IssuerApiError";
    this.status = status;
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A `Retry-After` value in the seconds form (digits only) in milliseconds; undefined for anything else (an HTTP date, garbage, none). */
export function retryAfterMsOf(header: string | null | undefined): number | undefined {
  const value = header?.trim();
  if (!value || !/^\d{1,10}$/.test(value)) return undefined;
  return Number(value) * 1000;
}

/**
 * The `IssuerApiError` of a non-2xx answer: its `{"error": {code, message}}` body, or a generic one,
 * with the answer's `Retry-After` header (seconds form) when it has one.
 */
export function issuerApiErrorOf(status: number, text: string, retryAfter?: string | null): IssuerApiError {
  let code = "ERR_HTTP";
  let message = `issuer answered ${status}`;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
    code = parsed.error?.code ?? code;
    message = parsed.error?.message ?? message;
  } catch {
    // not JSON: keep the generic message
  }
  const retryAfterMs = retryAfterMsOf(retryAfter);
  return new IssuerApiError(status, code, message, retryAfterMs === undefined ? {} : { retryAfterMs });
}
