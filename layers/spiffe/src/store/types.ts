/**
 * The records Tessera keeps, and the store interfaces over them. Times are epoch milliseconds.
 * Every invariant (a name taken once, a token used at most its uses, a generation moved only by
 * its holder, a journal changed by one writer at a time, a token or instance alive only while the
 * bot it is bound to exists) is enforced by the store itself.
 */

/** Why and when something was locked. */
export interface Lock {
  reason: string;
  lockedAt: number;
  /** Who locked it: an admin principal, or `tessera` for automatic locks. */
  lockedBy: string;
}

/** One join method a bot accepts, with that method's rules. */
export interface JoinRule {
  method: "token" | "aws_iam" | "aws_ec2" | "gcp" | "oidc";
  /** Method-specific conditions (accounts, ARNs, claims...). */
  [rule: string]: unknown;
}

/** A bot: a named identity that machines join as. */
export interface Bot {
  /**
   * Immutable, unique per creation: a bot deleted and created again under the same name has
   * another id. Bots stored before ids existed read as `legacyBotId(createdAt)`.
   */
  id: string;
  /** A label, unique among live bots and reusable after a delete: never an identity on its own. */
  name: string;
  /** SPIFFE IDs the bot may ask for: exact IDs, prefixes ending in `/*`, or `{{attr}}` templates. */
  allowedSpiffeIds: string[];
  /**
   * DNS names the bot may put in X.509-SVIDs: exact names, or `*.domain` (the wildcard itself and one
   * label under it), normalised. Bots stored before this field existed have none.
   */
  allowedDnsNames?: string[];
  joinRules: JoinRule[];
  /** Upper bound on the TTL of SVIDs issued to this bot, seconds. */
  maxSvidTtlSeconds: number;
  createdAt: number;
  lock?: Lock;
}

/** A join token, stored by the hash of its secret only. */
export interface JoinToken {
  tokenHash: string;
  /** The id of the bot this token joins as; dead once that bot is gone (see `isBoundToBot`). */
  botId: string;
  botName: string;
  usesRemaining: number;
  expiresAt: number;
  createdAt: number;
  lock?: Lock;
}

/** One machine joined as a bot; credentials are bound to it. */
export interface BotInstance {
  id: string;
  /** The id of the bot this instance joined as; dead once that bot is gone (see `isBoundToBot`). */
  botId: string;
  botName: string;
  joinMethod: JoinRule["method"];
  /** Moves on every renewal; a credential carrying another value is a copy. */
  generation: number;
  createdAt: number;
  renewedAt: number;
  /** When the current credential expires. */
  expiresAt: number;
  /** Facts established at join (account, role, repository...), used to fill templates. */
  attributes: Record<string, string>;
  /** SHA-256 (hex) of the current credential's secret. */
  credentialHash: string;
  /** Hashes of earlier credentials' secrets, newest first, at most `RETIRED_CREDENTIALS_KEPT`. */
  retiredCredentialHashes: string[];
  lock?: Lock;
}

/** How many retired credential hashes an instance keeps to recognise a replayed copy. */
export const RETIRED_CREDENTIALS_KEPT = 16;

/** Which keys a journal tracks. */
export type JournalKind = "x509" | "jwt";

/** State of a key slot in the rotation cycle. */
export type SlotStatus = "prepared" | "active" | "old";

/** One A/B slot of a CA journal. */
export interface JournalSlot {
  slot: "a" | "b";
  status: SlotStatus;
  /** Key manager id of the slot's key. */
  keyId: string;
  /** Distinguishes successive keys in one slot (also the JWT `kid`). */
  keyGeneration: number;
  /** PEM of the self-signed CA certificate (x509 journals). */
  certificatePem?: string;
  /** SPKI DER, base64 (jwt journals). */
  publicKeySpki?: string;
  notBefore: number;
  notAfter: number;
  preparedAt: number;
  activatedAt?: number;
  retiredAt?: number;
}

/**
 * An emergency rotation under way: every key of `compromisedGeneration` or below leaves the journal
 * (and the bundle) as soon as a key made after the request is active. Cleared when the last has left.
 */
export interface EmergencyRotation {
  requestedAt: number;
  /** The newest key generation of the journal when the emergency was asked for. */
  compromisedGeneration: number;
  /** Why, as the operator gave it (at most 256 characters). */
  reason: string;
  /** Who asked: an admin principal, or `tessera` for the rotate function's own input. */
  requestedBy: string;
}

/** The rotation journal of one key kind. `version` increases on every write. */
export interface CaJournal {
  kind: JournalKind;
  version: number;
  slots: JournalSlot[];
  /** The bundle's `spiffe_sequence`, moved whenever the set of published keys changes. */
  bundleSequence: number;
  updatedAt: number;
  /** Set by a manual rotation: prepare and activate without waiting for the thresholds. Cleared on activation. */
  rotationRequestedAt?: number;
  /** Set by an emergency rotation until every compromised key has left the journal. */
  emergency?: EmergencyRotation;
}

/** Kinds of audited events. */
export type AuditEventType =
  | "join"
  | "renew"
  | "x509_svid"
  | "jwt_svid"
  | "lock"
  | "unlock"
  | "bot_created"
  | "bot_deleted"
  | "token_created"
  | "ca_rotated"
  | "ca_prepared"
  | "ca_retired"
  | "jwt_key_prepared"
  | "jwt_key_rotated"
  | "jwt_key_retired"
  | "emergency_rotation"
  | "join_refused"
  | "renew_refused"
  | "svid_refused"
  | "svid_revoked";

/** One audit record: who, what, when. Never a secret; hashes and thumbprints only. */
export interface AuditEvent {
  id: string;
  type: AuditEventType;
  time: number;
  botName?: string;
  instanceId?: string;
  joinMethod?: string;
  spiffeId?: string;
  /** X.509 serial (hex) or JWT `jti`. */
  serialOrJti?: string;
  expiresAt?: number;
  /** RFC 7638 thumbprint of the SVID's public key. */
  keyThumbprint?: string;
  /** Anything else worth keeping (reason, actor...). Strings only. */
  detail?: Record<string, string>;
}

/** Filter for listing audit events; all fields optional, combined with AND. */
export interface AuditFilter {
  botName?: string;
  spiffeId?: string;
  type?: AuditEventType;
  /** Inclusive lower bound, epoch ms. */
  since?: number;
  /** Exclusive upper bound, epoch ms. */
  until?: number;
  /** At most this many events, newest first. Default 100. */
  limit?: number;
  /** Any of these types (AND with `type`): e.g. the three refusal types. */
  types?: AuditEventType[];
  /** Only events strictly older than this one (newest-first order: time, then id): a page's cursor. */
  before?: { time: number; id: string };
}

/** Bots by name. */
export interface BotStore {
  /** Create a bot; `BotExistsError` if the name is taken. */
  createBot(bot: Bot): Promise<void>;
  getBot(name: string): Promise<Bot | undefined>;
  listBots(): Promise<Bot[]>;
  /**
   * Delete the bot with its join tokens and bot instances (in one transaction where they fit);
   * `BotNotFoundError` if there is none. Whatever a concurrent join adds meanwhile stays bound to
   * the deleted id, so it is refused and never listed, even under a bot re-created with the name.
   * Returns the bot deleted.
   */
  deleteBot(name: string): Promise<Bot>;
  /** Set or clear (`undefined`) the bot's lock; `BotNotFoundError` if there is none. */
  setBotLock(name: string, lock: Lock | undefined): Promise<Bot>;
}

/**
 * Join tokens by hash. `getJoinToken` returns the record as stored: its user checks the binding
 * (`isBoundToBot`) against the bot it reads. Lists hold only tokens bound to a live bot.
 */
export interface JoinTokenStore {
  createJoinToken(token: JoinToken): Promise<void>;
  getJoinToken(tokenHash: string): Promise<JoinToken | undefined>;
  listJoinTokens(botName?: string): Promise<JoinToken[]>;
  /**
   * Spend one use of the token and create the bot instance, both or neither, only while the bot
   * the token is bound to exists (checked in the same transaction). Throws `JoinTokenInvalidError`
   * for an unknown, expired or locked token, one whose bot is gone, or an instance bound elsewhere;
   * `JoinTokenUsedError` when no use is left. The token record is removed with its last use.
   */
  redeemJoinToken(tokenHash: string, now: number, instance: BotInstance): Promise<JoinToken>;
  /** Set or clear a token's lock; `JoinTokenInvalidError` if there is none. */
  setJoinTokenLock(tokenHash: string, lock: Lock | undefined): Promise<void>;
  deleteJoinToken(tokenHash: string): Promise<void>;
}

/**
 * Bot instances by id. `getBotInstance` returns the record as stored: its user checks the binding
 * (`isBoundToBot`) against the bot it reads. Lists hold only instances bound to a live bot.
 */
export interface BotInstanceStore {
  /**
   * Create an instance (platform joins) and record its `claims` (single-use values, as `claimOnce`)
   * in the same write: all or nothing, so of two joins racing for one claim exactly one creates its
   * instance. `StoreConflictError` if the id exists, `ReplayError` if a claim is taken.
   */
  createBotInstance(instance: BotInstance, claims?: readonly ReplayClaim[]): Promise<void>;
  getBotInstance(id: string): Promise<BotInstance | undefined>;
  listBotInstances(botName?: string): Promise<BotInstance[]>;
  /**
   * Move the instance to `expectedGeneration + 1` with a new credential, only if its stored
   * generation is `expectedGeneration` and it is not locked. The old `credentialHash` moves to the
   * front of `retiredCredentialHashes` (kept to `RETIRED_CREDENTIALS_KEPT`). Throws
   * `BotInstanceNotFoundError`, `BotLockedError`, or `GenerationMismatchError` (a copy exists).
   */
  advanceGeneration(
    id: string,
    expectedGeneration: number,
    update: { renewedAt: number; expiresAt: number; credentialHash: string },
  ): Promise<BotInstance>;
  /** Set or clear an instance's lock; `BotInstanceNotFoundError` if there is none. */
  setBotInstanceLock(id: string, lock: Lock | undefined): Promise<BotInstance>;
}

/** One single-use value to record, as `ReplayStore.claimOnce` takes it. */
export interface ReplayClaim {
  namespace: string;
  key: string;
  expiresAt: number;
  now: number;
}

/** Single-use values: challenges, token ids, instance ids (TOFU). */
export interface ReplayStore {
  /** Record `key` in `namespace` until `expiresAt`; `ReplayError` if it is recorded and unexpired. */
  claimOnce(namespace: string, key: string, expiresAt: number, now: number): Promise<void>;
  /** True when `key` is recorded in `namespace` and unexpired at `now` (a strongly consistent read). */
  isClaimed(namespace: string, key: string, now: number): Promise<boolean>;
}

/** The CA and JWT-key rotation journals. */
export interface JournalStore {
  getJournal(kind: JournalKind): Promise<CaJournal | undefined>;
  /**
   * Write `journal` (whose `version` must be `expectedVersion + 1`, or 1 for a new journal) only if
   * the stored version is `expectedVersion` (0: none stored). `JournalConflictError` otherwise.
   */
  putJournal(journal: CaJournal, expectedVersion: number): Promise<void>;
}

/** The audit trail. */
export interface AuditStore {
  appendAudit(event: AuditEvent): Promise<void>;
  /** Events matching `filter`, newest first. */
  listAudit(filter?: AuditFilter): Promise<AuditEvent[]>;
}

/** Why an SVID was revoked: the RFC 5280 CRLReason names an operator may give. */
export type RevocationReason = "unspecified" | "keyCompromise" | "cACompromise" | "affiliationChanged" | "superseded" | "cessationOfOperation";

/** A revoked SVID, kept until it expires (then no relying party accepts it anyway). */
export interface Revocation {
  kind: "x509" | "jwt";
  /** The X.509 serial (lowercase hex) or the JWT `jti`. */
  id: string;
  /** X.509: the subject key identifier (hex) of the CA that signed it; absent when not recorded (every CA's CRL lists it). */
  caId?: string;
  /** X.509: RFC 7638 thumbprint of the SVID's public key; a CSR for that key is refused while the revocation lives. */
  keyThumbprint?: string;
  /** When the SVID itself expires. */
  expiresAt: number;
  revokedAt: number;
  reason: RevocationReason;
  revokedBy: string;
  botName?: string;
  instanceId?: string;
}

/** The last CRL signed for one CA. */
export interface StoredCrl {
  /** Subject key identifier (hex) of the CA that signed it. */
  caId: string;
  /** The CRL number extension: increases with every CRL of this CA. */
  crlNumber: number;
  /** DER, base64. */
  der: string;
  thisUpdate: number;
  nextUpdate: number;
}

/** Revoked SVIDs and the CRLs signed over them. */
export interface RevocationStore {
  /** Record revocations; one already recorded and unexpired keeps its first record. Returns those newly recorded. */
  addRevocations(revocations: Revocation[]): Promise<Revocation[]>;
  /** Every revocation whose SVID has not expired at `now`. */
  listRevocations(now: number): Promise<Revocation[]>;
  /** Whether an unexpired X.509 revocation names this key thumbprint. */
  isKeyRevoked(keyThumbprint: string, now: number): Promise<boolean>;
  /** Store a CRL if its number is above the stored one of its CA; `StoreConflictError` otherwise. */
  putCrl(crl: StoredCrl): Promise<void>;
  /** The last CRL of every CA that has one. */
  listCrls(): Promise<StoredCrl[]>;
}

/** Everything Tessera stores. DynamoDB in AWS, the embedded store on one machine. */
export interface Store extends BotStore, JoinTokenStore, BotInstanceStore, ReplayStore, JournalStore, AuditStore {
  /** Revoked SVIDs and CRLs. */
  readonly revocations: RevocationStore;
  /** Release files, handles and timers. */
  close(): Promise<void>;
}
