import { recordAudit } from "../audit/index.js";
import {
  BotInstanceNotFoundError,
  BotNotFoundError,
  JoinTokenInvalidError,
  JoinTokenNotFoundError,
  RequestInvalidError,
} from "../errors.js";
import type { Lock } from "../store/types.js";
import { assertBotName } from "./bots.js";
import type { SET_LOCK_STORE } from "./store-parts.js";
import type { AdminActor, AdminDepsFor } from "./types.js";

/** What can be locked. */
export type LockTarget = "bot" | "bot_instance" | "join_token";

/** An admin's lock or unlock request (typed by the API contract's request schema). */
export interface SetLockInput {
  /** `bot`, `bot_instance` or `join_token`. */
  target: string;
  /** Bot name, instance id, or join-token hash. */
  id: string;
  /** True to lock, false to unlock. */
  locked: boolean;
  reason?: string;
}

/** The state after a lock request, and whether the request changed it. */
export interface SetLockResult {
  locked: boolean;
  changed: boolean;
}

/** The audit fields naming a lockable thing, and its lock now. */
interface LockSubject {
  lock: Lock | undefined;
  audit: { botName?: string; instanceId?: string; detail: Record<string, string> };
  write(lock: Lock | undefined): Promise<unknown>;
}

const TARGETS: readonly LockTarget[] = ["bot", "bot_instance", "join_token"];
const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f-]{36}$/;
/** How much of a join-token hash the audit trail keeps: enough to tell tokens apart. */
const TOKEN_HASH_PREFIX_LENGTH = 12;

async function findSubject(deps: AdminDepsFor<typeof SET_LOCK_STORE>, target: LockTarget, id: string): Promise<LockSubject> {
  if (target === "bot") {
    assertBotName(id);
    const bot = await deps.store.getBot(id);
    if (!bot) throw new BotNotFoundError(`admin: no bot named ${id}`);
    return { lock: bot.lock, audit: { botName: bot.name, detail: {} }, write: (lock) => deps.store.setBotLock(id, lock) };
  }
  if (target === "bot_instance") {
    if (!UUID.test(id)) throw new RequestInvalidError("admin: instance id must be a UUID");
    const instance = await deps.store.getBotInstance(id);
    if (!instance) throw new BotInstanceNotFoundError(`admin: no bot instance ${id}`);
    return {
      lock: instance.lock,
      audit: { botName: instance.botName, instanceId: id, detail: {} },
      write: (lock) => deps.store.setBotInstanceLock(id, lock),
    };
  }
  if (!HEX64.test(id)) throw new RequestInvalidError("admin: join token id must be its SHA-256 hash (hex)");
  const prefix = id.slice(0, TOKEN_HASH_PREFIX_LENGTH);
  const notFound = () => new JoinTokenNotFoundError(`admin: no live join token with hash ${prefix}...`);
  const token = await deps.store.getJoinToken(id);
  if (!token) throw notFound();
  return {
    lock: token.lock,
    audit: { botName: token.botName, detail: { token_hash_prefix: prefix } },
    write: (lock) =>
      deps.store.setJoinTokenLock(id, lock).catch((err: unknown) => {
        throw err instanceof JoinTokenInvalidError ? notFound() : err;
      }),
  };
}

/**
 * Lock or unlock a bot, a bot instance or a join token, and audit the change with the actor and
 * reason. Locking what is locked, or unlocking what is not, changes and audits nothing.
 */
export async function setLock(deps: AdminDepsFor<typeof SET_LOCK_STORE>, input: SetLockInput, actor: AdminActor): Promise<SetLockResult> {
  const target = input.target as LockTarget;
  if (!TARGETS.includes(target)) throw new RequestInvalidError(`admin: lock target must be one of ${TARGETS.join(", ")}`);
  if (input.reason !== undefined && input.reason.length > 500) {
    throw new RequestInvalidError("admin: reason must be a string of at most 500 characters");
  }
  const subject = await findSubject(deps, target, input.id);
  if ((subject.lock !== undefined) === input.locked) return { locked: input.locked, changed: false };
  const now = deps.clock.now().getTime();
  const lock: Lock | undefined = input.locked
    ? { reason: input.reason ?? "locked by an administrator", lockedAt: now, lockedBy: actor }
    : undefined;
  await subject.write(lock);
  const reason = lock?.reason ?? input.reason;
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    {
      type: input.locked ? "lock" : "unlock",
      time: now,
      ...subject.audit,
      detail: { target, actor, ...subject.audit.detail, ...(reason ? { reason } : {}) },
    },
  );
  return { locked: input.locked, changed: true };
}
