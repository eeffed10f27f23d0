import type { ReplayStore } from "../store/types.js";

/**
 * A replay store that only notes what a verifier asks to record, so that a proof is spent only once
 * every other check of the request has passed: `commit` then records each claim in the real store
 * (`ReplayError` there if the proof was used meanwhile, by this or any other issuer instance).
 */
export class DeferredReplay implements ReplayStore {
  readonly #claims: Parameters<ReplayStore["claimOnce"]>[] = [];

  async claimOnce(namespace: string, key: string, expiresAt: number, now: number): Promise<void> {
    this.#claims.push([namespace, key, expiresAt, now]);
  }

  /** Record every noted claim in `store`, in order. */
  async commit(store: ReplayStore): Promise<void> {
    for (const claim of this.#claims.splice(0)) await store.claimOnce(...claim);
  }
}
