// Counts the calls real AWS SDK clients make, by service and command, with a middleware on each
// client's own stack (the calls are made, not assumed). DynamoDB request units are computed by
// DynamoDB's own rules from the items each call sends or gets back (moto's ConsumedCapacity is a
// constant per operation, not a size): a read 1 unit per 4 KB (half for an eventually consistent
// one), a write 1 unit per 1 KB in the table and again in each index holding the item, doubled in a
// transaction. What a call cannot show (the size of an item an UpdateItem changes) counts as one
// unit, in the table and in gsi1 when the item's kind lives there (bots, tokens, instances).

type Value = Record<string, unknown>;

/** DynamoDB's size of an attribute value, bytes. */
function valueSize(v: Value): number {
  if (typeof v.S === "string") return Buffer.byteLength(v.S);
  if (typeof v.N === "string") return Math.ceil(v.N.replace(/^-|\./g, "").length / 2) + 1;
  if (v.B instanceof Uint8Array) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.M) return 3 + itemSize(v.M as Record<string, Value>);
  if (Array.isArray(v.L)) return 3 + (v.L as Value[]).reduce((a, x) => a + 1 + valueSize(x), 0);
  if (Array.isArray(v.SS)) return (v.SS as string[]).reduce((a, x) => a + Buffer.byteLength(x), 0);
  return 0;
}

/** DynamoDB's size of an item: attribute names plus values. */
function itemSize(item: Record<string, Value> | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((a, [name, v]) => a + Buffer.byteLength(name) + valueSize(v), 0);
}

const indexesHolding = (item: Record<string, Value>) => (item.gsi1pk ? 1 : 0) + (item.gsi2pk ? 1 : 0);
const GSI1_KINDS = /^(BOT|TOKEN|INSTANCE)#/;

function writeUnits(item: Record<string, Value>, copies: number): number {
  return Math.max(1, Math.ceil(itemSize(item) / 1024)) * copies;
}

function updateUnits(key: Record<string, Value> | undefined): number {
  const pk = typeof key?.pk?.S === "string" ? key.pk.S : "";
  return 1 + (GSI1_KINDS.test(pk) ? 1 : 0);
}

function readUnits(items: Record<string, Value>[], consistent: boolean): number {
  const bytes = items.reduce((a, i) => a + itemSize(i), 0);
  return Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
}

interface Transacted {
  Put?: { Item: Record<string, Value> };
  Update?: { Key: Record<string, Value> };
  Delete?: { Key: Record<string, Value> };
  ConditionCheck?: { Key: Record<string, Value> };
}

/** Request units of one DynamoDB call, from its input and output. */
function unitsOf(command: string, input: Value, output: Value): { read: number; write: number } {
  const consistent = input.ConsistentRead === true;
  switch (command) {
    case "GetItem":
      return { read: readUnits(output.Item ? [output.Item as Record<string, Value>] : [], consistent), write: 0 };
    case "Query":
    case "Scan":
      return { read: readUnits((output.Items as Record<string, Value>[] | undefined) ?? [], consistent), write: 0 };
    case "PutItem": {
      const item = input.Item as Record<string, Value>;
      return { read: 0, write: writeUnits(item, 1 + indexesHolding(item)) };
    }
    case "UpdateItem":
    case "DeleteItem":
      return { read: 0, write: updateUnits(input.Key as Record<string, Value>) };
    case "TransactWriteItems":
      return {
        read: 0,
        write: (input.TransactItems as Transacted[]).reduce((a, t) => {
          if (t.Put) return a + 2 * writeUnits(t.Put.Item, 1 + indexesHolding(t.Put.Item));
          return a + 2 * updateUnits((t.Update ?? t.Delete ?? t.ConditionCheck)?.Key);
        }, 0),
      };
    default:
      return { read: 0, write: 0 };
  }
}

type Stack = { add: (middleware: unknown, options: unknown) => void };
type Next = (args: { input: Record<string, unknown> }) => Promise<{ output?: unknown }>;
const DATA_COMMANDS = /Item|Items|^Query$|^Scan$/;

/** Calls per `service:command`, and DynamoDB capacity units, since the last `reset`. */
export class AwsCallTally {
  readonly calls = new Map<string, number>();
  readUnits = 0;
  writeUnits = 0;
  /** DynamoDB commands the units above do not cover. */
  readonly unmetered = new Set<string>();

  /** Count every call `client` makes as `service:<command>`; returns the client. */
  attach<T extends { middlewareStack: unknown }>(client: T, service: string): T {
    (client.middlewareStack as Stack).add(
      (next: Next, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
        const command = (context.commandName ?? "?").replace(/Command$/, "");
        const key = `${service}:${command}`;
        this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
        const result = await next(args);
        if (service === "DynamoDB") this.#addUnits(command, args.input, (result.output ?? {}) as Value);
        return result;
      },
      { step: "serialize", priority: "high", name: "benchAwsCallTally" },
    );
    return client;
  }

  #addUnits(command: string, input: Value, output: Value): void {
    const { read, write } = unitsOf(command, input, output);
    if (read === 0 && write === 0 && DATA_COMMANDS.test(command)) this.unmetered.add(command);
    this.readUnits += read;
    this.writeUnits += write;
  }

  /** Total calls of one service. */
  total(service: string): number {
    let n = 0;
    for (const [key, count] of this.calls) if (key.startsWith(`${service}:`)) n += count;
    return n;
  }

  reset(): void {
    this.calls.clear();
    this.readUnits = 0;
    this.writeUnits = 0;
  }
}
