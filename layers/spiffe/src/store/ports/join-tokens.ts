/** Join tokens and the parts of the store that hold them. */
import type { BotInstance } from "./bot-instances.js";
import type { Lock } from "./bots.js";

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

/**
 * Reads one join token by hash, as stored: its user checks the binding (`isBoundToBot`) against
 * the bot it reads.
 */
export interface JoinTokenReader {
  getJoinToken(tokenHash: string): Promise<JoinToken | undefined>;
}

/** Lists join tokens; a list holds only tokens bound to a live bot. */
export interface JoinTokenLister {
  listJoinTokens(botName?: string): Promise<JoinToken[]>;
}

/** Creates and deletes join tokens. */
export interface JoinTokenWriter {
  createJoinToken(token: JoinToken): Promise<void>;
  deleteJoinToken(tokenHash: string): Promise<void>;
}

/** Spends join tokens. */
export interface JoinTokenRedeemer {
  /**
   * Spend one use of the token and create the bot instance, both or neither, only while the bot
   * the token is bound to exists (checked in the same transaction). Throws `JoinTokenInvalidError`
   * for an unknown, expired or locked token, one whose bot is gone, or an instance bound elsewhere;
   * `JoinTokenUsedError` when no use is left. The token record is removed with its last use.
   */
  redeemJoinToken(tokenHash: string, now: number, instance: BotInstance): Promise<JoinToken>;
}

/** Locks and unlocks join tokens. */
export interface JoinTokenLocker {
  /** Set or clear a token's lock; `JoinTokenInvalidError` if there is none. */
  setJoinTokenLock(tokenHash: string, lock: Lock | undefined): Promise<void>;
}

/** Join tokens by hash: every join-token part. */
export interface JoinTokenStore extends JoinTokenReader, JoinTokenLister, JoinTokenWriter, JoinTokenRedeemer, JoinTokenLocker {}
