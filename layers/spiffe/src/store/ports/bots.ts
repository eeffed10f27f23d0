/** Bots, the locks every record kind carries, and the parts of the store that hold bots. */

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

/** Reads one bot by name. */
export interface BotReader {
  getBot(name: string): Promise<Bot | undefined>;
}

/** Lists every bot. */
export interface BotLister {
  listBots(): Promise<Bot[]>;
}

/** Creates and deletes bots. */
export interface BotWriter {
  /** Create a bot; `BotExistsError` if the name is taken. */
  createBot(bot: Bot): Promise<void>;
  /**
   * Delete the bot with its join tokens and bot instances (in one transaction where they fit);
   * `BotNotFoundError` if there is none. Whatever a concurrent join adds meanwhile stays bound to
   * the deleted id, so it is refused and never listed, even under a bot re-created with the name.
   * Returns the bot deleted.
   */
  deleteBot(name: string): Promise<Bot>;
}

/** Locks and unlocks bots. */
export interface BotLocker {
  /** Set or clear (`undefined`) the bot's lock; `BotNotFoundError` if there is none. */
  setBotLock(name: string, lock: Lock | undefined): Promise<Bot>;
}

/** Bots by name: every bot part. */
export interface BotStore extends BotReader, BotLister, BotWriter, BotLocker {}
