/** Key ids every key manager accepts: they become file names and KMS alias suffixes. */
export const KEY_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Throws `TypeError` (caller misuse) unless `id` is a valid key id. */
export function validateKeyId(id: string): void {
  if (typeof id !== "string" || !KEY_ID_PATTERN.test(id)) {
    throw new TypeError("keymanager: key id must match [a-z0-9][a-z0-9-]{0,62}");
  }
}

/** Runs tasks for one id one after another (a replacement and a load never interleave); ids run in parallel. */
export class PerIdQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Run `task` after every earlier task for `id`. */
  run<T>(id: string, task: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(id) ?? Promise.resolve()).then(task);
    const settled = result.catch(() => undefined);
    this.#tails.set(id, settled);
    void settled.then(() => {
      if (this.#tails.get(id) === settled) this.#tails.delete(id);
    });
    return result;
  }
}
