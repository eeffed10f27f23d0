// DynamoDbStore against the local AWS emulator (or whatever AWS_ENDPOINT_URL points at): the shared
// conformance suite on a fresh table per test, plus what only DynamoDB has (TTL attributes, lazy expiry).
// moto's DynamoDB is not atomic under concurrent requests; scripts/emulator.mjs runs it on one thread
// so each request is applied whole, as DynamoDB applies it. Racing calls still interleave between
// their requests, which is what the race tests exercise.
import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { FixedClock } from "#tessera/core";
import {
  DYNAMODB_PART_ACCESS,
  DynamoDbStore,
  type DynamoDbStoreOptions,
  GLOBAL_SECONDARY_INDEXES,
  TABLE_ATTRIBUTE_DEFINITIONS,
  TABLE_KEY_SCHEMA,
  TTL_ATTRIBUTE,
} from "#tessera/aws";
import { legacyBotId, runStoreConformance } from "#tessera/test-support";
import type { AuditEvent, BotInstance, Store, StorePart, StorePartTypes } from "#tessera/issuer";

const client = new DynamoDBClient({});
const documents = DynamoDBDocumentClient.from(client);
const tables: string[] = [];
const DAY = 24 * 3_600_000;

async function createTable(): Promise<string> {
  const tableName = `tessera-store-${randomUUID()}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: TABLE_KEY_SCHEMA.map((key) => ({ ...key })),
      AttributeDefinitions: TABLE_ATTRIBUTE_DEFINITIONS.map((attribute) => ({ ...attribute })),
      GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema.map((key) => ({ ...key })),
        Projection: { ...index.Projection },
      })),
    }),
  );
  tables.push(tableName);
  await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    }),
  );
  return tableName;
}

async function openStore(options: Partial<DynamoDbStoreOptions> = {}): Promise<{ store: DynamoDbStore; tableName: string }> {
  const tableName = await createTable();
  return { store: new DynamoDbStore({ client: documents, tableName, ...options }), tableName };
}

async function rawItem(tableName: string, pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  const out = await documents.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }));
  return out.Item;
}

after(async () => {
  await Promise.allSettled(tables.map((TableName) => client.send(new DeleteTableCommand({ TableName }))));
  client.destroy();
});

/** The methods of a part (the revocation parts' are on `store.revocations`). */
type MethodsOf<P extends StorePart> = Exclude<
  keyof StorePartTypes[P] | keyof NonNullable<(StorePartTypes[P] & { revocations?: object })["revocations"]>,
  "revocations"
>;

/** Each part's methods: every one of them (checked below), so a new method is recorded too. */
const PART_METHODS = {
  BotReader: ["getBot"],
  BotLister: ["listBots"],
  BotWriter: ["createBot", "deleteBot"],
  BotLocker: ["setBotLock"],
  JoinTokenReader: ["getJoinToken"],
  JoinTokenLister: ["listJoinTokens"],
  JoinTokenWriter: ["createJoinToken", "deleteJoinToken"],
  JoinTokenRedeemer: ["redeemJoinToken"],
  JoinTokenLocker: ["setJoinTokenLock"],
  BotInstanceReader: ["getBotInstance"],
  BotInstanceLister: ["listBotInstances"],
  BotInstanceWriter: ["createBotInstance", "advanceGeneration"],
  BotInstanceLocker: ["setBotInstanceLock"],
  ReplayReader: ["isClaimed"],
  ReplayWriter: ["claimOnce"],
  JournalReader: ["getJournal"],
  JournalWriter: ["putJournal"],
  AuditReader: ["listAudit"],
  AuditWriter: ["appendAudit"],
  RevocationReader: ["listRevocations", "isKeyRevoked", "listCrls"],
  RevocationWriter: ["addRevocations", "putCrl"],
} as const satisfies { [P in StorePart]: readonly MethodsOf<P>[] };
type Unlisted = { [P in StorePart]: Exclude<MethodsOf<P>, (typeof PART_METHODS)[P][number]> }[StorePart];
const everyMethodListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMethodListed;

/** The IAM actions each store method's requests needed, recorded while the conformance suite runs (`index` for a GSI query). */
const sentBy = new Map<string, Set<string>>();
const calling = new AsyncLocalStorage<string>();

function iamActionsOf(command: { constructor: { name: string }; input: Record<string, unknown> }): string[] {
  const single: Record<string, string> = {
    GetCommand: "GetItem",
    PutCommand: "PutItem",
    UpdateCommand: "UpdateItem",
    DeleteCommand: "DeleteItem",
    QueryCommand: "Query",
  };
  if (command.constructor.name === "TransactWriteCommand") {
    const each: Record<string, string> = {
      Put: "PutItem",
      Update: "UpdateItem",
      Delete: "DeleteItem",
      ConditionCheck: "ConditionCheckItem",
    };
    return (command.input.TransactItems as Record<string, unknown>[]).flatMap((item) =>
      Object.keys(item).map((k) => `dynamodb:${each[k]}`),
    );
  }
  return [`dynamodb:${single[command.constructor.name]}`, ...(command.input.IndexName === undefined ? [] : ["index"])];
}

const recordingDocuments = {
  send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const method = calling.getStore();
    if (method !== undefined)
      for (const action of iamActionsOf(command)) (sentBy.get(method) ?? sentBy.set(method, new Set()).get(method)!).add(action);
    return documents.send(command as never);
  },
} as unknown as DynamoDbStoreOptions["client"];

/** `target` with each method call recorded under `prefix + name` (calls a method makes on its own parts count as its own). */
function recorded<T extends object>(target: T, prefix = ""): T {
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key, object) as unknown;
      if (key === "revocations") return recorded(value as object, "revocations.");
      if (typeof value !== "function" || typeof key !== "string") return value;
      return (...args: unknown[]) => calling.run(prefix + key, () => (value as (...a: unknown[]) => unknown).apply(object, args));
    },
  });
}

runStoreConformance("DynamoDbStore", async () =>
  recorded<Store>(new DynamoDbStore({ client: recordingDocuments, tableName: await createTable() })),
);

describe("DynamoDbStore: the IAM actions each store part declares", () => {
  it("cover every request its methods sent during the conformance suite", () => {
    const undeclared: string[] = [];
    for (const [part, methods] of Object.entries(PART_METHODS) as [StorePart, readonly string[]][]) {
      const declared = DYNAMODB_PART_ACCESS[part];
      for (const method of methods) {
        const sent = sentBy.get(part.startsWith("Revocation") ? `revocations.${method}` : method);
        assert.ok(sent !== undefined, `the conformance suite never called ${method}`);
        for (const action of sent) {
          if (action === "index" ? !declared.indexes : !(declared.actions as readonly string[]).includes(action))
            undeclared.push(`${part}.${method}: ${action}`);
        }
      }
    }
    assert.deepEqual(undeclared, []);
  });
});

describe("DynamoDbStore on DynamoDB", () => {
  const T = Date.now();
  const instance: BotInstance = {
    id: "i-1",
    botId: "bot-1",
    botName: "builder",
    joinMethod: "token",
    generation: 1,
    createdAt: T,
    renewedAt: T,
    expiresAt: T + 3_600_500,
    attributes: {},
    credentialHash: "h1",
    retiredCredentialHashes: [],
  };

  it("runs on a table made from the exported schema, with TTL enabled", async () => {
    const { tableName } = await openStore();
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    assert.equal(ttl.TimeToLiveDescription?.AttributeName, TTL_ATTRIBUTE);
    assert.equal(ttl.TimeToLiveDescription?.TimeToLiveStatus, "ENABLED");
  });

  it("sets the TTL attribute of every expiring record, in epoch seconds", async () => {
    const { store, tableName } = await openStore({ auditRetentionDays: 30 });
    await store.createBot({ id: "bot-1", name: "builder", allowedSpiffeIds: [], joinRules: [], maxSvidTtlSeconds: 60, createdAt: T });
    const token = { tokenHash: "t1", botId: "bot-1", botName: "builder", usesRemaining: 2, expiresAt: T + 60_500, createdAt: T };
    await store.createJoinToken(token);
    await store.redeemJoinToken("t1", T, instance);
    await store.claimOnce("challenge", "c1", T + 90_250, T);
    const event: AuditEvent = { id: "e1", type: "join", time: T - 1500, botName: "builder" };
    await store.appendAudit(event);

    assert.equal((await rawItem(tableName, "TOKEN#t1", "TOKEN"))?.[TTL_ATTRIBUTE], Math.ceil((T + 60_500) / 1000));
    const instanceTtl = (expiresAt: number): number => Math.ceil((expiresAt + 7 * DAY) / 1000);
    assert.equal((await rawItem(tableName, "INSTANCE#i-1", "INSTANCE"))?.[TTL_ATTRIBUTE], instanceTtl(instance.expiresAt));
    await store.advanceGeneration("i-1", 1, { renewedAt: T + 1, expiresAt: T + 7_200_700, credentialHash: "h2" });
    assert.equal((await rawItem(tableName, "INSTANCE#i-1", "INSTANCE"))?.[TTL_ATTRIBUTE], instanceTtl(T + 7_200_700));
    assert.equal((await rawItem(tableName, "REPLAY#challenge#c1", "REPLAY"))?.[TTL_ATTRIBUTE], Math.ceil((T + 90_250) / 1000));
    const month = new Date(event.time).toISOString().slice(0, 7);
    const auditSortKey = `${String(event.time).padStart(15, "0")}#e1`;
    assert.equal((await rawItem(tableName, `AUDIT#${month}`, auditSortKey))?.[TTL_ATTRIBUTE], Math.ceil((event.time + 30 * DAY) / 1000));
    assert.equal((await rawItem(tableName, "BOT#builder", "BOT"))?.[TTL_ATTRIBUTE], undefined);
  });

  it("treats a replay record whose TTL has not run yet as free once expired", async () => {
    const { store, tableName } = await openStore();
    await store.claimOnce("jti", "j1", T + 1000, T);
    await store.claimOnce("jti", "j1", T + 5000, T + 1000);
    assert.equal((await rawItem(tableName, "REPLAY#jti#j1", "REPLAY"))?.expiresAt, T + 5000);
  });

  it("redeems tokens whose TTL has passed as invalid even while the item remains", async () => {
    const clock = new FixedClock(T);
    const { store, tableName } = await openStore({ clock });
    await store.createJoinToken({
      tokenHash: "t2",
      botId: "bot-1",
      botName: "builder",
      usesRemaining: 1,
      expiresAt: T + 1000,
      createdAt: T,
    });
    clock.set(T + 2000);
    assert.equal(await store.getJoinToken("t2"), undefined);
    await assert.rejects(store.redeemJoinToken("t2", T + 2000, { ...instance, id: "i-2" }), { code: "ERR_JOIN_TOKEN_INVALID" });
    assert.ok(await rawItem(tableName, "TOKEN#t2", "TOKEN"));
    assert.equal(await rawItem(tableName, "INSTANCE#i-2", "INSTANCE"), undefined);
  });

  it("lists no audit events older than the retention window", async () => {
    const clock = new FixedClock(T);
    const { store } = await openStore({ clock, auditRetentionDays: 2 });
    const recent: AuditEvent = { id: "recent", type: "join", time: T - DAY, botName: "builder", spiffeId: "spiffe://example.org/b" };
    const old: AuditEvent = { id: "old", type: "join", time: T - 3 * DAY, botName: "builder", spiffeId: "spiffe://example.org/b" };
    await store.appendAudit(old);
    await store.appendAudit(recent);
    assert.deepEqual(await store.listAudit(), [recent]);
    assert.deepEqual(await store.listAudit({ botName: "builder" }), [recent]);
    assert.deepEqual(await store.listAudit({ spiffeId: "spiffe://example.org/b", since: 0 }), [recent]);
  });

  it("deletes a bot with more tokens and instances than one transaction holds", async () => {
    const { store, tableName } = await openStore();
    await store.createBot({ id: "bot-1", name: "builder", allowedSpiffeIds: [], joinRules: [], maxSvidTtlSeconds: 60, createdAt: T });
    const hashes = Array.from({ length: 80 }, (_, i) => `many-${i}`);
    const ids = Array.from({ length: 40 }, (_, i) => `i-many-${i}`);
    await Promise.all([
      ...hashes.map((tokenHash) =>
        store.createJoinToken({ tokenHash, botId: "bot-1", botName: "builder", usesRemaining: 1, expiresAt: T + 60_000, createdAt: T }),
      ),
      ...ids.map((id) => store.createBotInstance({ ...instance, id })),
    ]);
    await store.deleteBot("builder");
    for (const hash of hashes) assert.equal(await rawItem(tableName, `TOKEN#${hash}`, "TOKEN"), undefined, hash);
    for (const id of ids) assert.equal(await rawItem(tableName, `INSTANCE#${id}`, "INSTANCE"), undefined, id);
  });

  it("gives a bot stored before ids its legacy id, and binds nothing stored without a bot id", async () => {
    const { store, tableName } = await openStore();
    const put = (Item: Record<string, unknown>) => documents.send(new PutCommand({ TableName: tableName, Item }));
    const legacyBot = { name: "builder", allowedSpiffeIds: [], joinRules: [], maxSvidTtlSeconds: 60, createdAt: T };
    await put({ pk: "BOT#builder", sk: "BOT", gsi1pk: "BOTS", gsi1sk: "builder", ...legacyBot });
    const unbound = { tokenHash: "old", botName: "builder", usesRemaining: 1, expiresAt: T + 60_000, createdAt: T + 1 };
    await put({ pk: "TOKEN#old", sk: "TOKEN", gsi1pk: "TOKENS", gsi1sk: "builder#old", ...unbound });
    const bot = await store.getBot("builder");
    assert.deepEqual(bot, { ...legacyBot, id: legacyBotId(T) });
    assert.deepEqual(await store.listJoinTokens("builder"), []);
    const fresh = { ...instance, id: "i-legacy", botId: legacyBotId(T) };
    await assert.rejects(store.redeemJoinToken("old", T, { ...fresh, botId: undefined as unknown as string }), {
      code: "ERR_JOIN_TOKEN_INVALID",
    });
    await store.createJoinToken({
      tokenHash: "new",
      botId: legacyBotId(T),
      botName: "builder",
      usesRemaining: 1,
      expiresAt: T + 60_000,
      createdAt: T,
    });
    await store.redeemJoinToken("new", T, fresh);
    assert.equal((await store.getBotInstance("i-legacy"))?.botId, legacyBotId(T));
    assert.equal((await store.deleteBot("builder")).id, legacyBotId(T));
    assert.equal(await rawItem(tableName, "TOKEN#old", "TOKEN"), undefined);
  });
});
