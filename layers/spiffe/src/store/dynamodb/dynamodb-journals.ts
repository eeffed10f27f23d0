import type { PutCommandInput } from "@aws-sdk/lib-dynamodb";
import { JournalConflictError } from "../../errors.js";
import { assertJournalVersion } from "../record-rules.js";
import type { CaJournal, JournalKind, JournalStore } from "../types.js";
import { fromItem, journalKey, toItem } from "./items.js";
import type { TableClient } from "./table-client.js";

/** The CA and JWT-key journals in the store's table: `JOURNAL#<kind>` / `JOURNAL`, versioned by a condition. */
export class DynamoDbJournals implements JournalStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  /** The rotation journal of one key kind, if any. */
  async getJournal(kind: JournalKind): Promise<CaJournal | undefined> {
    const item = await this.#table.getItem("getJournal", journalKey(kind));
    return item === undefined ? undefined : fromItem<CaJournal>(item);
  }

  /** Replace the journal if its stored version is `expectedVersion`; `JournalConflictError` otherwise. */
  async putJournal(journal: CaJournal, expectedVersion: number): Promise<void> {
    assertJournalVersion(journal, expectedVersion);
    const condition: Pick<PutCommandInput, "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"> =
      expectedVersion === 0
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : {
            ConditionExpression: "#version = :expected",
            ExpressionAttributeNames: { "#version": "version" },
            ExpressionAttributeValues: { ":expected": expectedVersion },
          };
    await this.#table.put(
      "putJournal",
      { Item: toItem(journal, journalKey(journal.kind)), ...condition },
      () => new JournalConflictError(`store: ${journal.kind} journal is not at version ${expectedVersion}`),
    );
  }
}
