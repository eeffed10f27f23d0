import { ReplayError } from "../../errors.js";
import type { ReplayRecord } from "./snapshot.js";

function replayId(namespace: string, key: string): string {
  return `${encodeURIComponent(namespace)}#${key}`;
}

/** The embedded store's single-use records, by namespace and key; the store's queue makes each call atomic. */
export class ReplayRecords {
  readonly #records = new Map<string, ReplayRecord>();

  constructor(records: readonly ReplayRecord[]) {
    for (const record of records) this.#records.set(replayId(record.namespace, record.key), record);
  }

  /** True when `key` is recorded in `namespace` and unexpired at `now`. */
  isClaimed(namespace: string, key: string, now: number): boolean {
    return (this.#records.get(replayId(namespace, key))?.expiresAt ?? 0) > now;
  }

  /** `ReplayError` while an earlier record of `key` in `namespace` is unexpired at `now`. */
  assertUnclaimed(namespace: string, key: string, now: number): void {
    if (this.isClaimed(namespace, key, now)) throw new ReplayError("store: value already used");
  }

  /** Record `key` in `namespace` until `expiresAt` (check `assertUnclaimed` first). */
  record(namespace: string, key: string, expiresAt: number): void {
    this.#records.set(replayId(namespace, key), { namespace, key, expiresAt });
  }

  /** Forget every record expired at `now`. */
  prune(now: number): void {
    for (const [id, record] of this.#records) if (record.expiresAt <= now) this.#records.delete(id);
  }

  /** Every record, for the snapshot. */
  values(): ReplayRecord[] {
    return [...this.#records.values()];
  }
}
