/** An error answer from the issuer, with its stable code (`ERR_SPIFFEID_NOT_ALLOWED`...) and HTTP status. */
export class IssuerApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "IssuerApiError";
    this.status = status;
    this.code = code;
  }
}

/** The `IssuerApiError` of a non-2xx answer: its `{"error": {code, message}}` body, or a generic one. */
export function issuerApiErrorOf(status: number, text: string): IssuerApiError {
  let code = "ERR_HTTP";
  let message = `issuer answered ${status}`;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
    code = parsed.error?.code ?? code;
    message = parsed.error?.message ?? message;
  } catch {
    // not JSON: keep the generic message
  }
  return new IssuerApiError(status, code, message);
}
