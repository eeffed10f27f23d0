import { CredentialInvalidError, GenerationMismatchError } from "../errors.js";

/**
 * The error codes with which the issuer declares a bot credential dead for good: unknown, forged or
 * expired, or a stale copy (generation mismatch). Only a new join helps; a locked bot
 * (`BotLockedError`) is not among them, since an unlock revives its credential.
 */
export const DEAD_CREDENTIAL_CODES: ReadonlySet<string> = new Set([CredentialInvalidError.code, GenerationMismatchError.code]);
