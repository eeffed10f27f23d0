import type { ReplayClaim, ReplayReader, ReplayStore, ReplayWriter } from "../store/types.js";

/**
 * A replay store that only notes what a verifier asks to record, so that a proof is spent only
 * when the request it came with succeeds: a join writes `claims` with its bot instance, in one
 * write; an SVID asked with a proof calls `commit` once every other check has passed (`ReplayError`
 * there if the proof was used meanwhile, by this or any other issuer instance).
 */
export class DeferredReplay implements ReplayStore {
  readonly #claims: ReplayClaim[] = [];
  readonly #recorded: ReplayReader;

  /** `recorded` answers `isClaimed` for what earlier requests spent. */
  constructor(recorded: ReplayReader) {
    this.#recorded = recorded;
  }

  async claimOnce(namespace: string, key: string, expiresAt: number, now: number): Promise<void> {
    this.#claims.push({ namespace, key, expiresAt, now });
  }

  /** Whether `key` was spent by an earlier request; a claim noted here but not yet written is not. */
  isClaimed(namespace: string, key: string, now: number): Promise<boolean> {
    return this.#recorded.isClaimed(namespace, key, now);
  }

  /** The claims noted so far. */
  get claims(): readonly ReplayClaim[] {
    return this.#claims;
  }

  /** Record every noted claim in `store`, in order. */
  async commit(store: ReplayWriter): Promise<void> {
    for (const { namespace, key, expiresAt, now } of this.#claims.splice(0)) await store.claimOnce(namespace, key, expiresAt, now);
  }
}
