/** Bot instances (joined machines) and the parts of the store that hold them. */
import type { JoinRule, Lock } from "./bots.js";
import type { ReplayClaim } from "./single-use.js";

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

/**
 * Reads one bot instance by id, as stored: its user checks the binding (`isBoundToBot`) against
 * the bot it reads.
 */
export interface BotInstanceReader {
  getBotInstance(id: string): Promise<BotInstance | undefined>;
}

/** Lists bot instances; a list holds only instances bound to a live bot. */
export interface BotInstanceLister {
  listBotInstances(botName?: string): Promise<BotInstance[]>;
}

/** Creates bot instances and moves their generation. */
export interface BotInstanceWriter {
  /**
   * Create an instance (platform joins) and record its `claims` (single-use values, as `claimOnce`)
   * in the same write: all or nothing, so of two joins racing for one claim exactly one creates its
   * instance. `StoreConflictError` if the id exists, `ReplayError` if a claim is taken.
   */
  createBotInstance(instance: BotInstance, claims?: readonly ReplayClaim[]): Promise<void>;
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
}

/** Locks and unlocks bot instances. */
export interface BotInstanceLocker {
  /** Set or clear an instance's lock; `BotInstanceNotFoundError` if there is none. */
  setBotInstanceLock(id: string, lock: Lock | undefined): Promise<BotInstance>;
}

/** Bot instances by id: every bot-instance part. */
export interface BotInstanceStore extends BotInstanceReader, BotInstanceLister, BotInstanceWriter, BotInstanceLocker {}
