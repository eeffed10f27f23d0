/**
 * The store parts each issuer use case declares (see `storeParts`): its `deps.store` is typed from
 * the list, so a use case cannot call what it did not declare, and the functions' IAM actions are
 * derived from the same lists. Values only: this file loads nothing else.
 */
import { AUTHORITY_CACHE_STORE } from "../ca/store-parts.js";
import { storeParts } from "../store/ports/store.js";

/** `auditRefusals`: one refusal record. */
export const AUDIT_REFUSALS_STORE = storeParts("AuditWriter");
/** `lockForCredentialReuse`: lock the instance, audit the lock. */
export const LOCK_FOR_CREDENTIAL_REUSE_STORE = storeParts("BotInstanceLocker", "AuditWriter");
/** `authenticateBot`: the instance and its bot, and the lock of a reused credential. */
export const AUTHENTICATE_BOT_STORE = storeParts(LOCK_FOR_CREDENTIAL_REUSE_STORE, "BotInstanceReader", "BotReader");
/** `attestPlatformProof`: the bot whose rules decide (the proof's records go to the replay store it is given). */
export const ATTEST_PLATFORM_PROOF_STORE = storeParts("BotReader");
/** `recordJoin`: the join's audit event. */
export const RECORD_JOIN_STORE = storeParts("AuditWriter");
/** `createJoinChallenge`: the challenge's single-use record. */
export const CREATE_JOIN_CHALLENGE_STORE = storeParts("ReplayWriter");
/** `joinWithToken`: the token and its bot, the redemption, the audit event. */
export const JOIN_WITH_TOKEN_STORE = storeParts(RECORD_JOIN_STORE, "JoinTokenReader", "BotReader", "JoinTokenRedeemer");
/** `joinWithPlatformProof`: the proof's spent records, the new instance with its claims, the audit event. */
export const JOIN_WITH_PLATFORM_PROOF_STORE = storeParts(
  ATTEST_PLATFORM_PROOF_STORE,
  RECORD_JOIN_STORE,
  "ReplayReader",
  "BotInstanceWriter",
);
/** `joinBot`: either join, and the audit of a refusal. */
export const JOIN_BOT_STORE = storeParts(AUDIT_REFUSALS_STORE, JOIN_WITH_TOKEN_STORE, JOIN_WITH_PLATFORM_PROOF_STORE);
/** `renewCredential`: authenticate, move the generation (re-reading the instance when it lost a race), audit. */
export const RENEW_CREDENTIAL_STORE = storeParts(
  AUDIT_REFUSALS_STORE,
  AUTHENTICATE_BOT_STORE,
  "BotInstanceReader",
  "BotInstanceWriter",
  "AuditWriter",
);
/** `identifySvidCaller`: a bot credential, or a platform proof whose records are written once the SVID is issued. */
export const IDENTIFY_SVID_CALLER_STORE = storeParts(AUTHENTICATE_BOT_STORE, ATTEST_PLATFORM_PROOF_STORE, "ReplayReader", "ReplayWriter");
/** `issueX509SvidForBot`: the caller, the CA (`deps.authorities`), the revoked-key check, the audit event. */
export const ISSUE_X509_SVID_STORE = storeParts(
  AUDIT_REFUSALS_STORE,
  IDENTIFY_SVID_CALLER_STORE,
  AUTHORITY_CACHE_STORE,
  "RevocationReader",
  "AuditWriter",
);
/** `issueJwtSvidForBot`: the caller, the JWT key (`deps.authorities`), the audit event. */
export const ISSUE_JWT_SVID_STORE = storeParts(AUDIT_REFUSALS_STORE, IDENTIFY_SVID_CALLER_STORE, AUTHORITY_CACHE_STORE, "AuditWriter");
/** `checkPolicy`: the bot's rules, read only. */
export const CHECK_POLICY_STORE = storeParts("BotReader");
