/**
 * A structured logger: a message and named fields, one line each. Powertools' Logger fits, so does
 * the agent's text/JSON logger. Never given a private key, a join token, a bot credential or a
 * JWT-SVID. A consumer that uses only some levels asks for `Pick<Logger, ...>`.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Powertools' Logger only: put the Lambda context (request id, function, cold start) on every line. */
  addContext?(context: object): void;
}
