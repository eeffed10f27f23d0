import { systemClock, type Clock } from "../../clock.js";
import {
  BotExistsError,
  BotInstanceNotFoundError,
  BotNotFoundError,
  JoinTokenInvalidError,
  JoinTokenUsedError,
  JournalConflictError,
  StoreConflictError,
} from "../../errors.js";
import {
  assertAuditEvent,
  assertJournalVersion,
  auditLimitOf,
  auditRetentionMsOf,
  boundToLiveBots,
  generationRefusal,
  retiredAfterRenewal,
  isBotInstanceLive,
  isBoundToBot,
  isJoinTokenLive,
  withLock,
} from "../record-rules.js";
import {
  type AuditEvent,
  type AuditFilter,
  type Bot,
  type BotInstance,
  type CaJournal,
  type JoinToken,
  type JournalKind,
  type Lock,
  type ReplayClaim,
  type RevocationStore,
  type Store,
} from "../types.js";
import { AUDIT_PRUNE_BATCH } from "./audit-table.js";
import { openDataDirectory } from "./data-directory.js";
import type { DirectoryLock } from "./directory-lock.js";
import type { GroupCommit, TaskTables } from "./group-commit.js";
import type { SqliteDatabase } from "./sqlite-driver.js";
import { pruneExpired, type StoreTables } from "./store-tables.js";
import type { WalSync } from "./wal-sync.js";

/** Options of `EmbeddedStore.open`. */
export interface EmbeddedStoreOptions {
  /** The data directory; created (mode 0700) when missing. */
  directory: string;
  clock?: Clock;
  /** How long audit events are kept: older ones are no longer listed and are deleted. Default 365. */
  auditRetentionDays?: number;
}

/** How often, at most, an audit append also deletes events past the retention (a bounded batch each time). */
const AUDIT_PRUNE_INTERVAL_MS = 60_000;

/**
 * The single-machine store: state in one SQLite database in a data directory (WAL), safe across
 * restarts and crashes. Calls run in order; those made in one turn of the event loop share one
 * transaction (`GroupCommit`), and each is answered only once that transaction is on disk (the log
 * is flushed off the event loop, one fsync covering every commit made before it starts). A lock
 * file keeps other processes out.
 */
export class EmbeddedStore implements Store {
  readonly #clock: Clock;
  readonly #lock: DirectoryLock;
  readonly #db: SqliteDatabase;
  readonly #wal: WalSync;
  readonly #commit: GroupCommit;
  readonly #tables: StoreTables;
  readonly #auditRetentionMs: number;
  #lastAuditPrune = Number.NEGATIVE_INFINITY;
  #auditPrunedInGroup = false;
  #closing: Promise<void> | undefined;

  /** Revoked SVIDs and CRLs, in the same database and transactions. */
  readonly revocations: RevocationStore;

  private constructor(
    clock: Clock,
    lock: DirectoryLock,
    { db, wal, commit }: { db: SqliteDatabase; wal: WalSync; commit: GroupCommit },
    tables: StoreTables,
    auditRetentionMs: number,
  ) {
    this.#clock = clock;
    this.#lock = lock;
    this.#db = db;
    this.#wal = wal;
    this.#commit = commit;
    this.#tables = tables;
    this.#auditRetentionMs = auditRetentionMs;
    this.revocations = tables.revocations;
  }

  /** Open (creating if needed) the store in `directory`; `StoreError` if another live process holds it. */
  static async open(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    if (typeof options.directory !== "string" || options.directory === "") {
      throw new TypeError("store: directory is required");
    }
    const retentionMs = auditRetentionMsOf(options.auditRetentionDays);
    const { lock, db, wal, commit, tables } = await openDataDirectory(options.directory);
    return new EmbeddedStore(options.clock ?? systemClock, lock, { db, wal, commit }, tables, retentionMs);
  }

  /** Run `work` with the clock's time in the next group commit; refused once the store is closing. */
  #call<T>(work: (clockNow: number) => T, tables?: TaskTables): Promise<T> {
    return this.#commit.run(() => work(this.#clock.now().getTime()), tables);
  }

  /** `#call` for `work` that only reads (`GroupCommit.read`). */
  #read<T>(work: (clockNow: number) => T, tables?: TaskTables): Promise<T> {
    return this.#commit.read(() => work(this.#clock.now().getTime()), tables);
  }

  /** Run `change` (which throws before it changes anything, or not at all) after forgetting what expired. */
  #mutate<T>(change: (clockNow: number) => T): Promise<T> {
    return this.#call((clockNow) => {
      pruneExpired(this.#tables, clockNow);
      return change(clockNow);
    });
  }

  #liveToken(tokenHash: string, now: number): JoinToken | undefined {
    const token = this.#tables.tokens.get(tokenHash);
    return token !== undefined && isJoinTokenLive(token, now) ? token : undefined;
  }

  #liveInstance(id: string, now: number): BotInstance | undefined {
    const instance = this.#tables.instances.get(id);
    return instance !== undefined && isBotInstanceLive(instance, now) ? instance : undefined;
  }

  /** Create a bot; `BotExistsError` if the name is taken. */
  createBot(bot: Bot): Promise<void> {
    return this.#mutate(() => {
      if (this.#tables.bots.get(bot.name) !== undefined) throw new BotExistsError(`store: bot ${bot.name} exists`);
      this.#tables.bots.put(bot.name, bot);
    });
  }

  /** The bot named `name`, if any. */
  getBot(name: string): Promise<Bot | undefined> {
    return this.#read(() => this.#tables.bots.get(name));
  }

  /** Every bot, by name. */
  listBots(): Promise<Bot[]> {
    return this.#read(() => this.#tables.bots.list());
  }

  /** Delete a bot with its join tokens and bot instances, in one change; `BotNotFoundError` if there is none. */
  deleteBot(name: string): Promise<Bot> {
    return this.#mutate(() => {
      const bot = this.#tables.bots.get(name);
      if (bot === undefined) throw new BotNotFoundError(`store: no bot ${name}`);
      this.#tables.bots.delete(name);
      this.#tables.tokens.deleteOfBot(bot.id);
      this.#tables.instances.deleteOfBot(bot.id);
      return bot;
    });
  }

  /** Set or clear the bot's lock; `BotNotFoundError` if there is none. */
  setBotLock(name: string, lock: Lock | undefined): Promise<Bot> {
    return this.#mutate(() => {
      const bot = this.#tables.bots.get(name);
      if (bot === undefined) throw new BotNotFoundError(`store: no bot ${name}`);
      const updated = withLock(bot, lock);
      this.#tables.bots.put(name, updated);
      return updated;
    });
  }

  /** Store a join token; `StoreConflictError` if a live token has the same hash. */
  createJoinToken(token: JoinToken): Promise<void> {
    return this.#mutate(() => {
      if (this.#tables.tokens.get(token.tokenHash) !== undefined) throw new StoreConflictError("store: a join token with this hash exists");
      this.#tables.tokens.put(token.tokenHash, token);
    });
  }

  /** The live token with this hash, if any. */
  getJoinToken(tokenHash: string): Promise<JoinToken | undefined> {
    return this.#read((clockNow) => this.#liveToken(tokenHash, clockNow));
  }

  /** Live tokens bound to a live bot, of one bot or all. */
  listJoinTokens(botName?: string): Promise<JoinToken[]> {
    return this.#read((clockNow) => {
      const live = this.#tables.tokens.list(botName).filter((token) => isJoinTokenLive(token, clockNow));
      return boundToLiveBots(live, this.#tables.bots.list());
    });
  }

  /** Spend one use of the token and create the instance, both or neither (see `JoinTokenStore`). */
  redeemJoinToken(tokenHash: string, now: number, instance: BotInstance): Promise<JoinToken> {
    return this.#mutate((clockNow) => {
      const token = this.#tables.tokens.get(tokenHash);
      const bot = token === undefined ? undefined : this.#tables.bots.get(token.botName);
      if (
        token === undefined ||
        !isJoinTokenLive(token, now) ||
        token.lock !== undefined ||
        !isBoundToBot(bot, token) ||
        !isBoundToBot(bot, instance)
      ) {
        throw new JoinTokenInvalidError("store: join token invalid");
      }
      if (token.usesRemaining < 1) throw new JoinTokenUsedError("store: join token used up");
      if (this.#liveInstance(instance.id, clockNow) !== undefined) {
        throw new StoreConflictError(`store: bot instance ${instance.id} exists`);
      }
      const spent: JoinToken = { ...token, usesRemaining: token.usesRemaining - 1 };
      if (spent.usesRemaining === 0) this.#tables.tokens.delete(tokenHash);
      else this.#tables.tokens.put(tokenHash, spent);
      this.#tables.instances.put(instance.id, instance);
      return spent;
    });
  }

  /** Set or clear a token's lock; `JoinTokenInvalidError` if there is no live token. */
  setJoinTokenLock(tokenHash: string, lock: Lock | undefined): Promise<void> {
    return this.#mutate((clockNow) => {
      const token = this.#liveToken(tokenHash, clockNow);
      if (token === undefined) throw new JoinTokenInvalidError("store: join token invalid");
      this.#tables.tokens.put(tokenHash, withLock(token, lock));
    });
  }

  /** Delete a token; deleting one that is not there is not an error. */
  deleteJoinToken(tokenHash: string): Promise<void> {
    return this.#mutate(() => {
      this.#tables.tokens.delete(tokenHash);
    });
  }

  /** Join a platform-proved instance with its single-use records, all or nothing (see `BotInstanceStore`). */
  createBotInstance(instance: BotInstance, claims: readonly ReplayClaim[] = []): Promise<void> {
    return this.#mutate((clockNow) => {
      if (this.#liveInstance(instance.id, clockNow) !== undefined) {
        throw new StoreConflictError(`store: bot instance ${instance.id} exists`);
      }
      for (const claim of claims) this.#tables.replay.assertUnclaimed(claim.namespace, claim.key, claim.now);
      for (const { namespace, key, expiresAt } of claims) this.#tables.replay.record(namespace, key, expiresAt);
      this.#tables.instances.put(instance.id, instance);
    });
  }

  /** The live instance with this id, if any. */
  getBotInstance(id: string): Promise<BotInstance | undefined> {
    return this.#read((clockNow) => this.#liveInstance(id, clockNow));
  }

  /** Live instances bound to a live bot, of one bot or all. */
  listBotInstances(botName?: string): Promise<BotInstance[]> {
    return this.#read((clockNow) => {
      const live = this.#tables.instances.list(botName).filter((instance) => isBotInstanceLive(instance, clockNow));
      return boundToLiveBots(live, this.#tables.bots.list());
    });
  }

  /** Move the instance's generation if it is at `expectedGeneration` and unlocked (see `BotInstanceStore`). */
  advanceGeneration(
    id: string,
    expectedGeneration: number,
    update: { renewedAt: number; expiresAt: number; credentialHash: string },
  ): Promise<BotInstance> {
    return this.#mutate((clockNow) => {
      const current = this.#liveInstance(id, clockNow);
      const refusal = generationRefusal(id, current, expectedGeneration);
      if (refusal !== undefined) throw refusal;
      if (current === undefined) throw new BotInstanceNotFoundError(`store: no bot instance ${id}`);
      const advanced: BotInstance = {
        ...current,
        generation: expectedGeneration + 1,
        renewedAt: update.renewedAt,
        expiresAt: update.expiresAt,
        credentialHash: update.credentialHash,
        retiredCredentialHashes: retiredAfterRenewal(current),
      };
      this.#tables.instances.put(id, advanced);
      return advanced;
    });
  }

  /** Set or clear an instance's lock; `BotInstanceNotFoundError` if there is none. */
  setBotInstanceLock(id: string, lock: Lock | undefined): Promise<BotInstance> {
    return this.#mutate((clockNow) => {
      const instance = this.#liveInstance(id, clockNow);
      if (instance === undefined) throw new BotInstanceNotFoundError(`store: no bot instance ${id}`);
      const updated = withLock(instance, lock);
      this.#tables.instances.put(id, updated);
      return updated;
    });
  }

  /** Record `key` in `namespace` until `expiresAt`; `ReplayError` while an earlier record is unexpired. */
  claimOnce(namespace: string, key: string, expiresAt: number, now: number): Promise<void> {
    return this.#mutate(() => {
      this.#tables.replay.assertUnclaimed(namespace, key, now);
      this.#tables.replay.record(namespace, key, expiresAt);
    });
  }

  /** True when `key` is recorded in `namespace` and unexpired at `now`. */
  isClaimed(namespace: string, key: string, now: number): Promise<boolean> {
    return this.#read(() => this.#tables.replay.isClaimed(namespace, key, now));
  }

  /** The rotation journal of one key kind, if any. */
  getJournal(kind: JournalKind): Promise<CaJournal | undefined> {
    return this.#read(() => this.#tables.journals.get(kind));
  }

  /** Replace the journal if its stored version is `expectedVersion`; `JournalConflictError` otherwise. */
  async putJournal(journal: CaJournal, expectedVersion: number): Promise<void> {
    assertJournalVersion(journal, expectedVersion);
    return this.#mutate(() => {
      const stored = this.#tables.journals.get(journal.kind)?.version ?? 0;
      if (stored !== expectedVersion) {
        throw new JournalConflictError(`store: ${journal.kind} journal is not at version ${expectedVersion}`);
      }
      this.#tables.journals.put(journal.kind, journal);
    });
  }

  /** Append an audit event (durable when this resolves); `StoreConflictError` if its id is stored already. */
  async appendAudit(event: AuditEvent): Promise<void> {
    assertAuditEvent(event);
    return this.#call((clockNow) => {
      if (!this.#tables.audit.append(event)) throw new StoreConflictError(`store: audit event ${event.id} exists`);
      this.#pruneAudit(clockNow);
    }, "audit");
  }

  /**
   * Delete one bounded batch of events past the retention: at most one pass per group commit (the
   * group runs synchronously, so the microtask clears the flag after it), once per interval unless
   * the last pass left a backlog.
   */
  #pruneAudit(clockNow: number): void {
    if (this.#auditPrunedInGroup || clockNow - this.#lastAuditPrune < AUDIT_PRUNE_INTERVAL_MS) return;
    this.#auditPrunedInGroup = true;
    queueMicrotask(() => {
      this.#auditPrunedInGroup = false;
    });
    if (this.#tables.audit.prune(clockNow - this.#auditRetentionMs) < AUDIT_PRUNE_BATCH) this.#lastAuditPrune = clockNow;
  }

  /** Events matching `filter`, newest first, none older than the retention. */
  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const limit = auditLimitOf(filter);
    return this.#read((clockNow) => this.#tables.audit.list(filter, clockNow - this.#auditRetentionMs, limit), "audit");
  }

  /** Finish the calls made so far, close the database and release the directory lock; later calls are refused. */
  close(): Promise<void> {
    this.#closing ??= this.#commit.drain().then(async () => {
      this.#db.close();
      await this.#wal.close();
      await this.#lock.release();
    });
    return this.#closing;
  }
}
