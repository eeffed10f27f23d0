import { recordAudit } from "../audit/index.js";
import { RequestInvalidError } from "../errors.js";
import type { Lock } from "../store/types.js";
import { assertBotName } from "./bots.js";
import type { AdminActor, AdminDeps } from "./types.js";

/** What can be locked. */
export type LockTarget = "bot" | "bot_instance" | "join_token";

/** An admin's lock or unlock request. */
export interface SetLockInput {
  target: unknown;
  /** Bot name, instance id, or join-token hash. */
  id: unknown;
  /** True to lock, false to unlock. */
  locked: unknown;
  reason?: unknown;
}

const TARGETS: readonly LockTarget[] = ["bot", "bot_instance", "join_token"];
const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f-]{36}$/;

/** Lock or unlock a bot, a bot instance or a join token; audited either way. Returns the new state. */
export async function setLock(deps: AdminDeps, input: SetLockInput, actor: AdminActor): Promise<boolean> {
  if (typeof input.locked !== "boolean") throw new RequestInvalidError("admin: locked must be true or false");
  const target = input.target as LockTarget;
  if (!TARGETS.includes(target)) throw new RequestInvalidError(`admin: lock target must be one of ${TARGETS.join(", ")}`);
  if (input.reason !== undefined && (typeof input.reason !== "string" || input.reason.length > 500)) {
    throw new RequestInvalidError("admin: reason must be a string of at most 500 characters");
  }
  const now = deps.clock.now().getTime();
  const lock: Lock | undefined = input.locked
    ? { reason: (input.reason as string | undefined) ?? "locked by an administrator", lockedAt: now, lockedBy: actor }
    : undefined;
  let botName: string | undefined;
  let instanceId: string | undefined;
  if (target === "bot") {
    assertBotName(input.id);
    botName = (await deps.store.setBotLock(input.id, lock)).name;
  } else if (target === "bot_instance") {
    if (typeof input.id !== "string" || !UUID.test(input.id)) throw new RequestInvalidError("admin: instance id must be a UUID");
    const instance = await deps.store.setBotInstanceLock(input.id, lock);
    botName = instance.botName;
    instanceId = instance.id;
  } else {
    if (typeof input.id !== "string" || !HEX64.test(input.id)) throw new RequestInvalidError("admin: join token id must be its SHA-256 hash (hex)");
    await deps.store.setJoinTokenLock(input.id, lock);
  }
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    {
      type: input.locked ? "lock" : "unlock",
      time: now,
      ...(botName ? { botName } : {}),
      ...(instanceId ? { instanceId } : {}),
      detail: { target, actor, ...(lock ? { reason: lock.reason } : {}) },
    },
  );
  return input.locked;
}
