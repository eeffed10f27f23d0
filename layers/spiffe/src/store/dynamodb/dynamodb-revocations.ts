import { StoreConflictError } from "../../errors.js";
import { assertRevocation, assertStoredCrl, revocationKey } from "../revocation-rules.js";
import type { Revocation, RevocationStore, StoredCrl } from "../types.js";
import { fromItem, toItem, ttlSeconds } from "./items.js";
import type { TableClient } from "./table-client.js";
import { TTL_ATTRIBUTE } from "./table-schema.js";

/** Partition of every revocation (a handful at a time, read whole and strongly consistent). */
export const REVOCATIONS_PARTITION = "REVOCATION";
/** Partition of the last CRL of each CA. */
export const CRLS_PARTITION = "CRL";

function revokedKeyKey(keyThumbprint: string): { pk: string; sk: string } {
  return { pk: `REVOKED_KEY#${keyThumbprint}`, sk: "KEY" };
}

/**
 * Revocations and CRLs in the store's table: `REVOCATION` / `<kind>#<id>` (TTL at the SVID's
 * expiry), `REVOKED_KEY#<thumbprint>` / `KEY` (the latest expiry of a revoked SVID with that key)
 * and `CRL` / `<ca id>` (its number only grows: a conditional put).
 */
export class DynamoDbRevocations implements RevocationStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  /** Record each revocation unless an unexpired one is stored; then its key, keeping the latest expiry. */
  async addRevocations(revocations: Revocation[]): Promise<Revocation[]> {
    revocations.forEach(assertRevocation);
    const added: Revocation[] = [];
    for (const revocation of revocations) {
      const item = toItem(
        revocation,
        { pk: REVOCATIONS_PARTITION, sk: revocationKey(revocation) },
        { [TTL_ATTRIBUTE]: ttlSeconds(revocation.expiresAt) },
      );
      if (await this.#putUnlessKept(item, "attribute_not_exists(pk) OR expiresAt <= :now", { ":now": revocation.revokedAt })) {
        added.push(revocation);
      }
      if (revocation.keyThumbprint === undefined) continue;
      const key = {
        ...revokedKeyKey(revocation.keyThumbprint),
        expiresAt: revocation.expiresAt,
        [TTL_ATTRIBUTE]: ttlSeconds(revocation.expiresAt),
      };
      await this.#putUnlessKept(key, "attribute_not_exists(pk) OR expiresAt < :expiresAt", { ":expiresAt": revocation.expiresAt });
    }
    return added;
  }

  /** Put `item` if `condition` holds; false (and nothing written) when the stored item is kept. */
  #putUnlessKept(item: Record<string, unknown>, condition: string, values: Record<string, unknown>): Promise<boolean> {
    return this.#table
      .put(
        "addRevocations",
        { Item: item, ConditionExpression: condition, ExpressionAttributeValues: values },
        () => new StoreConflictError("kept"),
      )
      .then(
        () => true,
        (err: unknown) => (err instanceof StoreConflictError ? false : Promise.reject(err)),
      );
  }

  /** Unexpired revocations (TTL deletion is lazy: expiry is checked here too). */
  async listRevocations(now: number): Promise<Revocation[]> {
    const items = await this.#table.query("listRevocations", {
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": REVOCATIONS_PARTITION },
      ConsistentRead: true,
    });
    return items.map((item) => fromItem<Revocation>(item)).filter((r) => r.expiresAt > now);
  }

  /** Whether an unexpired revocation names the key (one strongly consistent read). */
  async isKeyRevoked(keyThumbprint: string, now: number): Promise<boolean> {
    const item = await this.#table.getItem("isKeyRevoked", revokedKeyKey(keyThumbprint));
    return item !== undefined && typeof item.expiresAt === "number" && item.expiresAt > now;
  }

  /** Store the CRL if its number is above the stored one's; `StoreConflictError` otherwise. */
  async putCrl(crl: StoredCrl): Promise<void> {
    assertStoredCrl(crl);
    await this.#table.put(
      "putCrl",
      {
        Item: toItem(crl, { pk: CRLS_PARTITION, sk: crl.caId }),
        ConditionExpression: "attribute_not_exists(pk) OR crlNumber < :number",
        ExpressionAttributeValues: { ":number": crl.crlNumber },
      },
      () => new StoreConflictError(`store: a CRL numbered ${crl.crlNumber} or above of CA ${crl.caId} is stored already`),
    );
  }

  /** The last CRL of each CA. */
  async listCrls(): Promise<StoredCrl[]> {
    const items = await this.#table.query("listCrls", {
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": CRLS_PARTITION },
      ConsistentRead: true,
    });
    return items.map((item) => fromItem<StoredCrl>(item));
  }
}
