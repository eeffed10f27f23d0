/**
 * Tessera's errors: one base class with a stable `code`, one subclass per failure kind.
 * Messages start with the module that raised them (`jwtsvid: audience mismatch`).
 * Callers branch on `code`, never on the message.
 */

/** Options every Tessera error accepts. */
export interface TesseraErrorOptions {
  cause?: unknown;
}

/** Base class of every error Tessera raises on purpose. */
export class TesseraError extends Error {
  /** Stable, machine-readable error code. */
  static readonly code: string = "ERR_TESSERA";
  readonly code: string;

  constructor(message: string, options?: TesseraErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = (new.target as typeof TesseraError).code;
  }
}

/**
 * Give each error class its name as the key it is listed under, so `err.name` (and every log line
 * that shows it) stays the class's name in a minified Lambda bundle, which renames classes: the
 * bundles are built without esbuild's keepNames, whose renaming helper ran for every function of the
 * bundle on each cold start.
 */
export function nameErrorClasses(classes: Record<string, abstract new (...args: never[]) => TesseraError>): void {
  for (const [name, errorClass] of Object.entries(classes)) Object.defineProperty(errorClass, "name", { value: name });
}
/** A SPIFFE ID breaks the SPIFFE-ID standard. */
export class SpiffeIdInvalidError extends TesseraError {
  static override readonly code = "ERR_SPIFFEID_INVALID";
}
/** A trust domain name breaks the SPIFFE-ID standard. */
export class TrustDomainInvalidError extends TesseraError {
  static override readonly code = "ERR_TRUST_DOMAIN_INVALID";
}
/** A certificate or chain fails the X509-SVID rules or does not chain to the bundle. */
export class X509SvidInvalidError extends TesseraError {
  static override readonly code = "ERR_X509SVID_INVALID";
}
/** A certificate signing request is malformed, badly signed or asks for something not allowed. */
export class CsrInvalidError extends TesseraError {
  static override readonly code = "ERR_CSR_INVALID";
}
/** A key type or size that Tessera does not accept. */
export class KeyUnsupportedError extends TesseraError {
  static override readonly code = "ERR_KEY_UNSUPPORTED";
}
/** A JWT-SVID fails parsing or validation. */
export class JwtSvidInvalidError extends TesseraError {
  static override readonly code = "ERR_JWTSVID_INVALID";
}
/** A JWT-SVID audience breaks the audience rule (count, length or characters). */
export class JwtSvidAudienceInvalidError extends TesseraError {
  static override readonly code = "ERR_JWTSVID_AUDIENCE_INVALID";
}
/** A trust bundle document is malformed. */
export class BundleInvalidError extends TesseraError {
  static override readonly code = "ERR_BUNDLE_INVALID";
}
/** A key manager has no key with the asked id. */
export class KeyNotFoundError extends TesseraError {
  static override readonly code = "ERR_KEY_NOT_FOUND";
}
/** A key manager backend failed (not the caller's fault). */
export class KeyManagerError extends TesseraError {
  static override readonly code = "ERR_KEY_MANAGER";
}
/** KMS kept throttling after the retries: the caller should come back later. */
export class KmsThrottledError extends TesseraError {
  static override readonly code = "ERR_KMS_THROTTLED";
}
/** A conditional write lost against a concurrent writer or a changed record. */
export class StoreConflictError extends TesseraError {
  static override readonly code = "ERR_STORE_CONFLICT";
}
/** A store backend failed (not the caller's fault). */
export class StoreError extends TesseraError {
  static override readonly code = "ERR_STORE";
}
/** No bot with that name. */
export class BotNotFoundError extends TesseraError {
  static override readonly code = "ERR_BOT_NOT_FOUND";
}
/** A bot with that name exists already. */
export class BotExistsError extends TesseraError {
  static override readonly code = "ERR_BOT_EXISTS";
}
/** A bot or bot instance is locked. */
export class BotLockedError extends TesseraError {
  static override readonly code = "ERR_BOT_LOCKED";
}
/** No bot instance with that id. */
export class BotInstanceNotFoundError extends TesseraError {
  static override readonly code = "ERR_BOT_INSTANCE_NOT_FOUND";
}
/** A join token is unknown, expired or locked. Deliberately vague. */
export class JoinTokenInvalidError extends TesseraError {
  static override readonly code = "ERR_JOIN_TOKEN_INVALID";
}
/** A join token has no uses left. */
export class JoinTokenUsedError extends TesseraError {
  static override readonly code = "ERR_JOIN_TOKEN_USED";
}
/** A bot credential's generation does not match the stored one: a copy exists. */
export class GenerationMismatchError extends TesseraError {
  static override readonly code = "ERR_GENERATION_MISMATCH";
}
/** A single-use value (challenge, token id, nonce) was presented again. */
export class ReplayError extends TesseraError {
  static override readonly code = "ERR_REPLAY";
}
/** A CA journal record changed under the writer, or a rotation step is not allowed now. */
export class JournalConflictError extends TesseraError {
  static override readonly code = "ERR_JOURNAL_CONFLICT";
}
/** Configuration is missing or malformed. */
export class ConfigError extends TesseraError {
  static override readonly code = "ERR_CONFIG";
}
/** A bot credential is malformed, unknown, forged or expired. Deliberately vague. */
export class CredentialInvalidError extends TesseraError {
  static override readonly code = "ERR_CREDENTIAL_INVALID";
}
/** The SPIFFE ID asked for is outside the bot's rules or the trust domain. */
export class SpiffeIdNotAllowedError extends TesseraError {
  static override readonly code = "ERR_SPIFFEID_NOT_ALLOWED";
}
/** A DNS name asked for is not granted by the bot's rules. */
export class DnsNameNotAllowedError extends TesseraError {
  static override readonly code = "ERR_DNS_NAME_NOT_ALLOWED";
}
/** A bot's rule (an allowed SPIFFE ID or DNS name pattern) is malformed or names a placeholder nothing fills. */
export class PolicyInvalidError extends TesseraError {
  static override readonly code = "ERR_POLICY_INVALID";
}
/** The join method is not one the bot accepts. */
export class JoinMethodNotAllowedError extends TesseraError {
  static override readonly code = "ERR_JOIN_METHOD_NOT_ALLOWED";
}
/** A request is malformed: bad JSON, missing or ill-typed fields. */
export class RequestInvalidError extends TesseraError {
  static override readonly code = "ERR_REQUEST_INVALID";
}
/** A request body is larger than the route accepts. */
export class BodyTooLargeError extends TesseraError {
  static override readonly code = "ERR_BODY_TOO_LARGE";
}
/** A batch asks for more SVIDs than one request may. */
export class BatchTooLargeError extends TesseraError {
  static override readonly code = "ERR_BATCH_TOO_LARGE";
}
/** A batch entry repeats an earlier entry of the same batch. */
export class BatchEntryDuplicateError extends TesseraError {
  static override readonly code = "ERR_BATCH_ENTRY_DUPLICATE";
}
/** A request body that is not `application/json`. */
export class UnsupportedMediaTypeError extends TesseraError {
  static override readonly code = "ERR_UNSUPPORTED_MEDIA_TYPE";
}
/** A join token named by a hash the store does not hold (admin lock and unlock). */
export class JoinTokenNotFoundError extends TesseraError {
  static override readonly code = "ERR_JOIN_TOKEN_NOT_FOUND";
}
/** No route for the method and path. */
export class RouteNotFoundError extends TesseraError {
  static override readonly code = "ERR_NOT_FOUND";
}
/** An admin call without valid admin authorisation. */
export class AdminUnauthorizedError extends TesseraError {
  static override readonly code = "ERR_UNAUTHORIZED";
}
/** A console call that a cross-site page could have made: wrong Origin or Host, or without the console's header. */
export class ConsoleForbiddenError extends TesseraError {
  static override readonly code = "ERR_CONSOLE_FORBIDDEN";
}
/** `tessera console` could not reach the issuer or sign the call with the operator's AWS credentials. */
export class IssuerUnreachableError extends TesseraError {
  static override readonly code = "ERR_ISSUER_UNREACHABLE";
}
/** No usable signing authority (CA or JWT key) yet: the deployment has not created one. */
export class AuthorityUnavailableError extends TesseraError {
  static override readonly code = "ERR_AUTHORITY_UNAVAILABLE";
}
/** The active CA or JWT key has expired, or has too little life left to sign a useful SVID: rotation has not run. */
export class AuthorityExpiredError extends TesseraError {
  static override readonly code = "ERR_AUTHORITY_EXPIRED";
}
/** A platform join proof (an OIDC or GCE identity token) fails verification; the message stays vague. */
export class JoinProofInvalidError extends TesseraError {
  static override readonly code = "ERR_JOIN_PROOF_INVALID";
}
/** A verified platform proof matches none of the bot's join rules for its method. */
export class JoinRuleMismatchError extends TesseraError {
  static override readonly code = "ERR_JOIN_RULE_MISMATCH";
}
/** The keys to verify a platform proof could not be fetched (issuer down, bad discovery document). */
export class JoinKeysUnavailableError extends TesseraError {
  static override readonly code = "ERR_JOIN_KEYS_UNAVAILABLE";
}
/** A CRL is malformed, badly signed, not from the CA it names, or stale. */
export class CrlInvalidError extends TesseraError {
  static override readonly code = "ERR_CRL_INVALID";
}
/** Nothing to revoke: no live SVID matched what was asked. */
export class RevocationNotFoundError extends TesseraError {
  static override readonly code = "ERR_REVOCATION_NOT_FOUND";
}
/** A CSR names a key whose SVID was revoked; the caller must make a new key. */
export class SvidKeyRevokedError extends TesseraError {
  static override readonly code = "ERR_SVID_KEY_REVOKED";
}
/** An emergency rotation could not make the new key (key manager down): the compromised one stays published until it can. */
export class RotationKeyUnavailableError extends TesseraError {
  static override readonly code = "ERR_ROTATION_KEY_UNAVAILABLE";
}
/** OIDC discovery was asked for, but no issuer URL (`TESSERA_ISSUER_URL`) is configured. */
export class OidcDiscoveryDisabledError extends TesseraError {
  static override readonly code = "ERR_OIDC_DISCOVERY_DISABLED";
}
/** An `aws_iam` join challenge is unknown or expired: ask `POST /v1/join/challenge` for a new one. */
export class JoinChallengeInvalidError extends TesseraError {
  static override readonly code = "ERR_JOIN_CHALLENGE_INVALID";
}
/** AWS STS could not be reached or answered with a failure of its own (not the caller's): retry later. */
export class StsUnavailableError extends TesseraError {
  static override readonly code = "ERR_STS_UNAVAILABLE";
}
/** The issuer is shutting down (its store is closing) and took no part of the call: retry, it answers again once restarted. */
export class ShuttingDownError extends TesseraError {
  static override readonly code = "ERR_SHUTTING_DOWN";
}
/** JWT-SVIDs are turned off in this deployment (`TESSERA_JWT_SVIDS=false`): none is issued, and the JWT key is not rotated. */
export class JwtSvidsDisabledError extends TesseraError {
  static override readonly code = "ERR_JWT_SVIDS_DISABLED";
}

nameErrorClasses({
  TesseraError,
  SpiffeIdInvalidError,
  TrustDomainInvalidError,
  X509SvidInvalidError,
  CsrInvalidError,
  KeyUnsupportedError,
  JwtSvidInvalidError,
  JwtSvidAudienceInvalidError,
  BundleInvalidError,
  KeyNotFoundError,
  KeyManagerError,
  KmsThrottledError,
  StoreConflictError,
  StoreError,
  BotNotFoundError,
  BotExistsError,
  BotLockedError,
  BotInstanceNotFoundError,
  JoinTokenInvalidError,
  JoinTokenUsedError,
  GenerationMismatchError,
  ReplayError,
  JournalConflictError,
  ConfigError,
  CredentialInvalidError,
  SpiffeIdNotAllowedError,
  DnsNameNotAllowedError,
  PolicyInvalidError,
  JoinMethodNotAllowedError,
  RequestInvalidError,
  BodyTooLargeError,
  BatchTooLargeError,
  BatchEntryDuplicateError,
  UnsupportedMediaTypeError,
  JoinTokenNotFoundError,
  RouteNotFoundError,
  AdminUnauthorizedError,
  ConsoleForbiddenError,
  IssuerUnreachableError,
  AuthorityUnavailableError,
  AuthorityExpiredError,
  JoinProofInvalidError,
  JoinRuleMismatchError,
  JoinKeysUnavailableError,
  CrlInvalidError,
  RevocationNotFoundError,
  SvidKeyRevokedError,
  RotationKeyUnavailableError,
  OidcDiscoveryDisabledError,
  JoinChallengeInvalidError,
  StsUnavailableError,
  ShuttingDownError,
  JwtSvidsDisabledError,
});
