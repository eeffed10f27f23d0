/**
 * The agent cannot go on and retrying cannot help: the issuer refused its join token for good, or
 * its credential is dead and there is no token left to join again. `code` is the issuer's code
 * when the issuer said so (`ERR_JOIN_TOKEN_INVALID`), else the agent's own.
 */
export class AgentFatalError extends Error {
  override readonly name = "AgentFatalError";
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
