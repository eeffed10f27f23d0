/** Single-use records (challenges, proof ids, TOFU instance ids, rotation leases) and their parts of the store. */

/** One single-use value to record, as `ReplayStore.claimOnce` takes it. */
export interface ReplayClaim {
  namespace: string;
  key: string;
  expiresAt: number;
  now: number;
}

/** Tells whether a single-use value is spent. */
export interface ReplayReader {
  /** True when `key` is recorded in `namespace` and unexpired at `now` (a strongly consistent read). */
  isClaimed(namespace: string, key: string, now: number): Promise<boolean>;
}

/** Spends single-use values; also the lease of one rotation writer. */
export interface ReplayWriter {
  /** Record `key` in `namespace` until `expiresAt`; `ReplayError` if it is recorded and unexpired. */
  claimOnce(namespace: string, key: string, expiresAt: number, now: number): Promise<void>;
}

/** Single-use values: challenges, token ids, instance ids (TOFU), leases. */
export interface ReplayStore extends ReplayReader, ReplayWriter {}
