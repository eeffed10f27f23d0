import { nameErrorClasses, TesseraError } from "../errors.js";

/**
 * IAM Roles Anywhere refused `CreateSession` or could not be reached. `status` is the HTTP status
 * when there was an answer (403 for a signature or trust failure), undefined for a network failure.
 */
export class RolesAnywhereSessionError extends TesseraError {
  static override readonly code = "ERR_ROLES_ANYWHERE_SESSION";
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
  }
}

/** AWS STS refused `GetWebIdentityToken` (its error code in the message) or could not be reached. */
export class WebIdentityTokenError extends TesseraError {
  static override readonly code = "ERR_WEB_IDENTITY_TOKEN";
}

nameErrorClasses({ RolesAnywhereSessionError, WebIdentityTokenError });
