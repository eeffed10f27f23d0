import { type LockView, setLockRoute } from "#tessera/contract";
import type { CommandContext } from "../main.js";
import { printResult } from "./admin-arguments.js";

/** A lock as the STATE column shows it: `active`, or `locked (REASON)`. */
export const formatLockState = (lock: LockView | undefined) => (lock ? `locked (${lock.reason})` : "active");

/** Lock or unlock a bot, bot instance or join token (`--reason` from the flags), and print what changed. */
export async function setLock(ctx: CommandContext, target: string, id: string, locked: boolean): Promise<void> {
  const body = { target, id, locked, ...(ctx.values.reason ? { reason: ctx.values.reason as string } : {}) };
  const result = await ctx.admin().call(setLockRoute, { body });
  const what = `${target.replace("_", " ")} ${id}`;
  printResult(ctx, result, () =>
    result.changed === false
      ? `${what} was ${locked ? "already" : "not"} locked; nothing changed`
      : `${locked ? "locked" : "unlocked"} ${what}`,
  );
}
