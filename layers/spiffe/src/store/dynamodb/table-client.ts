import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type {
  DeleteCommandInput,
  DynamoDBDocumentClient,
  PutCommandInput,
  QueryCommandInput,
  TransactWriteCommandInput,
  UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { cancellationCodes, isConditionFailure, storeFailure } from "./failures.js";
import type { Item, ItemKey } from "./items.js";

/** The one DynamoDB client call the store makes. */
export type DynamoDbDocumentSender = Pick<DynamoDBDocumentClient, "send">;

/** The actions of one TransactWriteItems call. */
export type TransactActions = NonNullable<TransactWriteCommandInput["TransactItems"]>;

/**
 * The store's calls on its one table, each mapping a refused condition to the error its caller
 * names and any other failure to a `StoreError` naming the operation.
 */
export class TableClient {
  readonly #client: DynamoDbDocumentSender;
  /** The table's name, for the actions of a transaction. */
  readonly table: string;

  constructor(client: DynamoDbDocumentSender, table: string) {
    this.#client = client;
    this.table = table;
  }

  /** The item under `key` (strongly consistent read), if any. */
  async getItem(operation: string, key: ItemKey): Promise<Item | undefined> {
    try {
      const out = await this.#client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      return out.Item;
    } catch (err) {
      throw storeFailure(operation, err);
    }
  }

  /** Put an item; `onConditionFailed()` is thrown when its condition refuses. */
  async put(operation: string, input: Omit<PutCommandInput, "TableName">, onConditionFailed: () => Error): Promise<void> {
    try {
      await this.#client.send(new PutCommand({ ...input, TableName: this.table }));
    } catch (err) {
      if (isConditionFailure(err)) throw onConditionFailed();
      throw storeFailure(operation, err);
    }
  }

  /** Update an item and return all its new attributes; `onConditionFailed()` when its condition refuses. */
  async update(
    operation: string,
    input: Omit<UpdateCommandInput, "TableName" | "ReturnValues">,
    onConditionFailed: () => Error | Promise<Error>,
  ): Promise<Item> {
    let attributes: Item | undefined;
    try {
      const out = await this.#client.send(new UpdateCommand({ ...input, TableName: this.table, ReturnValues: "ALL_NEW" }));
      attributes = out.Attributes;
    } catch (err) {
      if (isConditionFailure(err)) throw await onConditionFailed();
      throw storeFailure(operation, err);
    }
    if (attributes === undefined) throw storeFailure(operation, new Error("no attributes returned"));
    return attributes;
  }

  /** Delete an item; `onConditionFailed()` when its condition refuses. */
  async delete(operation: string, input: Omit<DeleteCommandInput, "TableName">, onConditionFailed?: () => Error): Promise<void> {
    try {
      await this.#client.send(new DeleteCommand({ ...input, TableName: this.table }));
    } catch (err) {
      if (onConditionFailed !== undefined && isConditionFailure(err)) throw onConditionFailed();
      throw storeFailure(operation, err);
    }
  }

  /** Every page of a query, until `want` items are read (a filtered query reads every page). */
  async query(operation: string, input: Omit<QueryCommandInput, "TableName">, want = Infinity): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandInput = { ...input, TableName: this.table };
      if (start !== undefined) page.ExclusiveStartKey = start;
      if (Number.isFinite(want) && input.FilterExpression === undefined) page.Limit = want - items.length;
      try {
        const out = await this.#client.send(new QueryCommand(page));
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } catch (err) {
        throw storeFailure(operation, err);
      }
    } while (start !== undefined && items.length < want);
    return items;
  }

  /** Run a transaction: undefined when it committed, the cancellation codes when it was cancelled. */
  async transact(operation: string, actions: TransactActions): Promise<(string | undefined)[] | undefined> {
    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems: actions }));
      return undefined;
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes === undefined) throw storeFailure(operation, err);
      const expected = codes.every(
        (code) => code === undefined || ["None", "ConditionalCheckFailed", "TransactionConflict"].includes(code),
      );
      if (!expected) throw storeFailure(operation, err);
      return codes;
    }
  }
}
