import { ReplayError } from "../../errors.js";
import type { ReplayStore } from "../types.js";
import { replayPut } from "./bot-instance-creation.js";
import { replayKey } from "./items.js";
import type { TableClient } from "./table-client.js";

/** Single-use records (and leases) in the store's table: `REPLAY#<namespace>#<key>` / `REPLAY`, TTL at expiry. */
export class DynamoDbReplay implements ReplayStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  /** Record a single-use value; a stored record that has expired (TTL not yet run) counts as free. */
  async claimOnce(namespace: string, key: string, expiresAt: number, now: number): Promise<void> {
    await this.#table.put("claimOnce", replayPut({ namespace, key, expiresAt, now }), () => new ReplayError("store: value already used"));
  }

  /** True when a single-use value is recorded and unexpired (an expired record TTL has not removed yet is not). */
  async isClaimed(namespace: string, key: string, now: number): Promise<boolean> {
    const item = await this.#table.getItem("isClaimed", replayKey(namespace, key));
    return item !== undefined && (item.expiresAt as number) > now;
  }
}
