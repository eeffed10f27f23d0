import { systemClock, type Clock } from "../../clock.js";
import {
  BotExistsError,
  BotInstanceNotFoundError,
  BotNotFoundError,
  JoinTokenInvalidError,
  JoinTokenUsedError,
  JournalConflictError,
  StoreConflictError,
  StoreError,
} from "../../errors.js";
import {
  assertAuditEvent,
  assertJournalVersion,
  auditLimitOf,
  boundToLiveBots,
  copyRecord,
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
  type Store,
} from "../types.js";
import type { AuditLog } from "./audit-log.js";
import { EMBEDDED_STORE_FILES, openDataDirectory } from "./data-directory.js";
import type { DirectoryLock } from "./directory-lock.js";
import { ReplayRecords } from "./replay-records.js";
import type { RevocationFile } from "./revocation-file.js";
import { writeSnapshot } from "./snapshot-file.js";
import type { Snapshot } from "./snapshot.js";

/** Options of `EmbeddedStore.open`. */
export interface EmbeddedStoreOptions {
  /** The data directory; created (mode 0700) when missing. */
  directory: string;
  clock?: Clock;
}

function byName(a: Bot, b: Bot): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The single-machine store: state in a data directory, safe across restarts and crashes.
 * Bots, tokens, instances, replay records and journals live in one JSON snapshot rewritten
 * atomically after every change; audit events are appended to a JSON-lines file. Every call runs
 * in one in-process queue, so each check-and-set is atomic; a lock file keeps other processes out.
 */
export class EmbeddedStore implements Store {
  readonly #directory: string;
  readonly #clock: Clock;
  readonly #lock: DirectoryLock;
  readonly #audit: AuditLog;
  readonly #bots = new Map<string, Bot>();
  readonly #tokens = new Map<string, JoinToken>();
  readonly #instances = new Map<string, BotInstance>();
  readonly #replay: ReplayRecords;
  readonly #journals = new Map<JournalKind, CaJournal>();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #failure: StoreError | undefined;

  private constructor(directory: string, clock: Clock, lock: DirectoryLock, audit: AuditLog, snapshot: Snapshot, readonly revocations: RevocationFile) {
    this.#directory = directory;
    this.#clock = clock;
    this.#lock = lock;
    this.#audit = audit;
    for (const bot of snapshot.bots) this.#bots.set(bot.name, bot);
    for (const token of snapshot.joinTokens) this.#tokens.set(token.tokenHash, token);
    for (const instance of snapshot.botInstances) this.#instances.set(instance.id, instance);
    this.#replay = new ReplayRecords(snapshot.replay);
    for (const journal of snapshot.journals) this.#journals.set(journal.kind, journal);
  }

  /** Open (creating if needed) the store in `directory`; `StoreError` if another live process holds it. */
  static async open(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    if (typeof options.directory !== "string" || options.directory === "") {
      throw new TypeError("store: directory is required");
    }
    const { directory, lock, audit, snapshot, revocations } = await openDataDirectory(options.directory);
    return new EmbeddedStore(directory, options.clock ?? systemClock, lock, audit, snapshot, revocations);
  }

  #run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#queue.then(() => {
      if (this.#closed) throw new StoreError("store: closed");
      if (this.#failure !== undefined) throw this.#failure;
      return task();
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Run `change` (which throws before it changes anything, or not at all), then save the snapshot. */
  #mutate<T>(change: (clockNow: number) => T): Promise<T> {
    return this.#run(async () => {
      const clockNow = this.#clock.now().getTime();
      this.#prune(clockNow);
      const result = change(clockNow);
      await this.#durably(() => writeSnapshot(this.#directory, EMBEDDED_STORE_FILES.state, this.#snapshot()));
      return result;
    });
  }

  async #durably(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      // Memory is now ahead of disk: refuse everything until the store is reopened from disk.
      this.#failure = new StoreError("store: could not save to the data directory; reopen the store", { cause: err });
      throw this.#failure;
    }
  }

  #prune(now: number): void {
    for (const [hash, token] of this.#tokens) if (!isJoinTokenLive(token, now)) this.#tokens.delete(hash);
    for (const [id, instance] of this.#instances) if (!isBotInstanceLive(instance, now)) this.#instances.delete(id);
    this.#replay.prune(now);
  }

  #snapshot(): Snapshot {
    return {
      format: 1,
      bots: [...this.#bots.values()],
      joinTokens: [...this.#tokens.values()],
      botInstances: [...this.#instances.values()],
      replay: this.#replay.values(),
      journals: [...this.#journals.values()],
    };
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #liveToken(tokenHash: string, now: number): JoinToken | undefined {
    const token = this.#tokens.get(tokenHash);
    return token !== undefined && isJoinTokenLive(token, now) ? token : undefined;
  }

  #liveInstance(id: string, now: number): BotInstance | undefined {
    const instance = this.#instances.get(id);
    return instance !== undefined && isBotInstanceLive(instance, now) ? instance : undefined;
  }

  /** Create a bot; `BotExistsError` if the name is taken. */
  createBot(bot: Bot): Promise<void> {
    return this.#mutate(() => {
      if (this.#bots.has(bot.name)) throw new BotExistsError(`store: bot ${bot.name} exists`);
      this.#bots.set(bot.name, copyRecord(bot));
    });
  }

  /** The bot named `name`, if any. */
  getBot(name: string): Promise<Bot | undefined> {
    return this.#run(() => {
      const bot = this.#bots.get(name);
      return bot === undefined ? undefined : copyRecord(bot);
    });
  }

  /** Every bot, by name. */
  listBots(): Promise<Bot[]> {
    return this.#run(() => [...this.#bots.values()].sort(byName).map((bot) => copyRecord(bot)));
  }

  /** Delete a bot with its join tokens and bot instances, in one change; `BotNotFoundError` if there is none. */
  deleteBot(name: string): Promise<Bot> {
    return this.#mutate(() => {
      const bot = this.#bots.get(name);
      if (bot === undefined) throw new BotNotFoundError(`store: no bot ${name}`);
      this.#bots.delete(name);
      for (const [hash, token] of this.#tokens) if (token.botId === bot.id) this.#tokens.delete(hash);
      for (const [id, instance] of this.#instances) if (instance.botId === bot.id) this.#instances.delete(id);
      return copyRecord(bot);
    });
  }

  /** Set or clear the bot's lock; `BotNotFoundError` if there is none. */
  setBotLock(name: string, lock: Lock | undefined): Promise<Bot> {
    return this.#mutate(() => {
      const bot = this.#bots.get(name);
      if (bot === undefined) throw new BotNotFoundError(`store: no bot ${name}`);
      const updated = withLock(bot, lock);
      this.#bots.set(name, updated);
      return copyRecord(updated);
    });
  }

  /** Store a join token; `StoreConflictError` if a live token has the same hash. */
  createJoinToken(token: JoinToken): Promise<void> {
    return this.#mutate(() => {
      if (this.#tokens.has(token.tokenHash)) throw new StoreConflictError("store: a join token with this hash exists");
      this.#tokens.set(token.tokenHash, copyRecord(token));
    });
  }

  /** The live token with this hash, if any. */
  getJoinToken(tokenHash: string): Promise<JoinToken | undefined> {
    return this.#run(() => {
      const token = this.#liveToken(tokenHash, this.#now());
      return token === undefined ? undefined : copyRecord(token);
    });
  }

  /** Live tokens bound to a live bot, of one bot or all. */
  listJoinTokens(botName?: string): Promise<JoinToken[]> {
    return this.#run(() => {
      const now = this.#now();
      const live = [...this.#tokens.values()].filter(
        (token) => isJoinTokenLive(token, now) && (botName === undefined || token.botName === botName),
      );
      return boundToLiveBots(live, [...this.#bots.values()]).map((token) => copyRecord(token));
    });
  }

  /** Spend one use of the token and create the instance, both or neither (see `JoinTokenStore`). */
  redeemJoinToken(tokenHash: string, now: number, instance: BotInstance): Promise<JoinToken> {
    return this.#mutate((clockNow) => {
      const token = this.#tokens.get(tokenHash);
      const bot = token === undefined ? undefined : this.#bots.get(token.botName);
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
      if (spent.usesRemaining === 0) this.#tokens.delete(tokenHash);
      else this.#tokens.set(tokenHash, spent);
      this.#instances.set(instance.id, copyRecord(instance));
      return copyRecord(spent);
    });
  }

  /** Set or clear a token's lock; `JoinTokenInvalidError` if there is no live token. */
  setJoinTokenLock(tokenHash: string, lock: Lock | undefined): Promise<void> {
    return this.#mutate((clockNow) => {
      const token = this.#liveToken(tokenHash, clockNow);
      if (token === undefined) throw new JoinTokenInvalidError("store: join token invalid");
      this.#tokens.set(tokenHash, withLock(token, lock));
    });
  }

  /** Delete a token; deleting one that is not there is not an error. */
  deleteJoinToken(tokenHash: string): Promise<void> {
    return this.#mutate(() => {
      this.#tokens.delete(tokenHash);
    });
  }

  /** Join a platform-proved instance with its single-use records, all or nothing (see `BotInstanceStore`). */
  createBotInstance(instance: BotInstance, claims: readonly ReplayClaim[] = []): Promise<void> {
    return this.#mutate((clockNow) => {
      if (this.#liveInstance(instance.id, clockNow) !== undefined) {
        throw new StoreConflictError(`store: bot instance ${instance.id} exists`);
      }
      for (const claim of claims) this.#replay.assertUnclaimed(claim.namespace, claim.key, claim.now);
      for (const { namespace, key, expiresAt } of claims) this.#replay.record(namespace, key, expiresAt);
      this.#instances.set(instance.id, copyRecord(instance));
    });
  }

  /** The live instance with this id, if any. */
  getBotInstance(id: string): Promise<BotInstance | undefined> {
    return this.#run(() => {
      const instance = this.#liveInstance(id, this.#now());
      return instance === undefined ? undefined : copyRecord(instance);
    });
  }

  /** Live instances bound to a live bot, of one bot or all. */
  listBotInstances(botName?: string): Promise<BotInstance[]> {
    return this.#run(() => {
      const now = this.#now();
      const live = [...this.#instances.values()].filter(
        (instance) => isBotInstanceLive(instance, now) && (botName === undefined || instance.botName === botName),
      );
      return boundToLiveBots(live, [...this.#bots.values()]).map((instance) => copyRecord(instance));
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
      this.#instances.set(id, advanced);
      return copyRecord(advanced);
    });
  }

  /** Set or clear an instance's lock; `BotInstanceNotFoundError` if there is none. */
  setBotInstanceLock(id: string, lock: Lock | undefined): Promise<BotInstance> {
    return this.#mutate((clockNow) => {
      const instance = this.#liveInstance(id, clockNow);
      if (instance === undefined) throw new BotInstanceNotFoundError(`store: no bot instance ${id}`);
      const updated = withLock(instance, lock);
      this.#instances.set(id, updated);
      return copyRecord(updated);
    });
  }

  /** Record `key` in `namespace` until `expiresAt`; `ReplayError` while an earlier record is unexpired. */
  claimOnce(namespace: string, key: string, expiresAt: number, now: number): Promise<void> {
    return this.#mutate(() => {
      this.#replay.assertUnclaimed(namespace, key, now);
      this.#replay.record(namespace, key, expiresAt);
    });
  }

  /** True when `key` is recorded in `namespace` and unexpired at `now`. */
  isClaimed(namespace: string, key: string, now: number): Promise<boolean> {
    return this.#run(() => this.#replay.isClaimed(namespace, key, now));
  }

  /** The rotation journal of one key kind, if any. */
  getJournal(kind: JournalKind): Promise<CaJournal | undefined> {
    return this.#run(() => {
      const journal = this.#journals.get(kind);
      return journal === undefined ? undefined : copyRecord(journal);
    });
  }

  /** Replace the journal if its stored version is `expectedVersion`; `JournalConflictError` otherwise. */
  async putJournal(journal: CaJournal, expectedVersion: number): Promise<void> {
    assertJournalVersion(journal, expectedVersion);
    return this.#mutate(() => {
      const stored = this.#journals.get(journal.kind)?.version ?? 0;
      if (stored !== expectedVersion) {
        throw new JournalConflictError(`store: ${journal.kind} journal is not at version ${expectedVersion}`);
      }
      this.#journals.set(journal.kind, copyRecord(journal));
    });
  }

  /** Append an audit event (fsynced); `StoreConflictError` if its id is stored already. */
  async appendAudit(event: AuditEvent): Promise<void> {
    assertAuditEvent(event);
    return this.#run(async () => {
      if (this.#audit.has(event.id)) throw new StoreConflictError(`store: audit event ${event.id} exists`);
      await this.#durably(() => this.#audit.append(event));
    });
  }

  /** Events matching `filter`, newest first. */
  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const limit = auditLimitOf(filter);
    return this.#run(() => this.#audit.list(filter, limit));
  }

  /** Wait for queued calls, close the audit file and release the directory lock. */
  close(): Promise<void> {
    const done = this.#queue.then(async () => {
      if (this.#closed) return;
      this.#closed = true;
      await this.#audit.close();
      await this.#lock.release();
    });
    this.#queue = done.catch(() => undefined);
    return done;
  }
}
