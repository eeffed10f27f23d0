import assert from "node:assert/strict";
import type { ReplayStore } from "../../store/types.js";

/** A replay store in memory for verifier unit tests: the keys it was asked to claim, in order. */
export function memoryReplay(): ReplayStore & { keys: Set<string> } {
  const keys = new Set<string>();
  return {
    keys,
    claimOnce: async (namespace, key) => {
      if (keys.has(`${namespace}/${key}`)) throw Object.assign(new Error("used"), { code: "ERR_REPLAY" });
      keys.add(`${namespace}/${key}`);
    },
    isClaimed: async (namespace, key) => keys.has(`${namespace}/${key}`),
  };
}

/** Assert that `promise` rejects with an error whose `code` is `code`. */
export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code, String(err));
    return true;
  });
}
