import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FixedClock } from "../../clock.js";
import type { BotInstance, JoinToken } from "../types.js";
import { DynamoDbStore, type DynamoDbDocumentSender } from "./index.js";

interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

type Responder = (command: SentCommand) => unknown;

/** A document client that answers each command with the next responder (a value, or a thrown error). */
function fakeClient(...responders: Responder[]): { client: DynamoDbDocumentSender; sent: SentCommand[] } {
  const sent: SentCommand[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const call = { name: command.constructor.name, input: command.input };
      sent.push(call);
      const respond = responders.shift();
      if (respond === undefined) throw new Error(`unexpected ${call.name}`);
      return respond(call);
    },
  };
  return { client: client as unknown as DynamoDbDocumentSender, sent };
}

function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, $metadata: {} }, extra);
}

function fail(err: Error): Responder {
  return () => {
    throw err;
  };
}

function cancelled(...codes: string[]): Error {
  return awsError("TransactionCanceledException", { CancellationReasons: codes.map((Code) => ({ Code })) });
}

const T = 1_900_000_000_000;
const token: JoinToken = { tokenHash: "t1", botId: "bot-1", botName: "builder", usesRemaining: 1, expiresAt: T + 60_000, createdAt: T };
const instance: BotInstance = {
  id: "i1",
  botId: "bot-1",
  botName: "builder",
  joinMethod: "token",
  generation: 1,
  createdAt: T,
  renewedAt: T,
  expiresAt: T + 3_600_000,
  attributes: {},
  credentialHash: "h1",
  retiredCredentialHashes: [],
};
const tokenItem = (uses: number) => ({ Item: { pk: "TOKEN#t1", sk: "TOKEN", ttl: 1, ...token, usesRemaining: uses } });

function makeStore(client: DynamoDbDocumentSender): DynamoDbStore {
  return new DynamoDbStore({ client, tableName: "tessera", clock: new FixedClock(T) });
}

describe("DynamoDbStore against a scripted client", () => {
  it("refuses bad options", () => {
    const { client } = fakeClient();
    assert.throws(() => new DynamoDbStore({ client, tableName: "" }), TypeError);
    assert.throws(() => new DynamoDbStore({ client, tableName: "t", auditRetentionDays: 0 }), TypeError);
    assert.throws(() => new DynamoDbStore({ client, tableName: "t", auditRetentionDays: 1.5 }), TypeError);
  });

  it("turns throttling into ERR_STORE, keeping the cause", async () => {
    const throttled = awsError("ProvisionedThroughputExceededException");
    const { client } = fakeClient(fail(throttled), fail(throttled));
    const store = makeStore(client);
    await assert.rejects(store.getBot("b"), (err: Error & { code?: string }) => {
      assert.equal(err.code, "ERR_STORE");
      assert.equal(err.cause, throttled);
      assert.match(err.message, /^store: /);
      return true;
    });
    await assert.rejects(
      store.createBot({ id: "bot-b", name: "b", allowedSpiffeIds: [], joinRules: [], maxSvidTtlSeconds: 1, createdAt: T }),
      {
        code: "ERR_STORE",
      },
    );
  });

  it("spends the last use, puts the instance and checks the token's bot in one transaction", async () => {
    const { client, sent } = fakeClient(
      () => tokenItem(1),
      () => ({}),
    );
    assert.deepEqual(await makeStore(client).redeemJoinToken("t1", T, instance), { ...token, usesRemaining: 0 });
    const actions = sent[1]?.input.TransactItems as Record<string, Record<string, unknown>>[];
    assert.equal(sent[1]?.name, "TransactWriteCommand");
    assert.equal(actions.length, 3);
    assert.match(String(actions[0]?.Delete?.ConditionExpression), /usesRemaining = :one/);
    assert.match(String(actions[0]?.Delete?.ConditionExpression), /attribute_not_exists\(#lock\)/);
    assert.match(String(actions[1]?.Put?.ConditionExpression), /attribute_not_exists\(pk\)/);
    assert.deepEqual(actions[2]?.ConditionCheck?.Key, { pk: "BOT#builder", sk: "BOT" });
    assert.equal((actions[2]?.ConditionCheck?.ExpressionAttributeValues as Record<string, unknown>)[":botId"], "bot-1");
  });

  it("answers ERR_JOIN_TOKEN_INVALID, without retrying, when the token's bot is gone", async () => {
    const { client, sent } = fakeClient(() => tokenItem(1), fail(cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed")));
    await assert.rejects(makeStore(client).redeemJoinToken("t1", T, instance), { code: "ERR_JOIN_TOKEN_INVALID" });
    assert.equal(sent.length, 2);
  });

  it("spends an earlier use with a conditional decrement", async () => {
    const { client, sent } = fakeClient(
      () => tokenItem(3),
      () => ({}),
    );
    assert.equal((await makeStore(client).redeemJoinToken("t1", T, instance)).usesRemaining, 2);
    const actions = sent[1]?.input.TransactItems as Record<string, Record<string, unknown>>[];
    assert.match(String(actions[0]?.Update?.UpdateExpression), /usesRemaining = usesRemaining - :one/);
    assert.match(String(actions[0]?.Update?.ConditionExpression), /usesRemaining > :one/);
  });

  it("retries a join whose transaction collided, reading the token again", async () => {
    const { client, sent } = fakeClient(
      () => tokenItem(2),
      fail(cancelled("TransactionConflict", "None", "None")),
      () => tokenItem(1),
      () => ({}),
    );
    assert.equal((await makeStore(client).redeemJoinToken("t1", T, instance)).usesRemaining, 0);
    assert.deepEqual(
      sent.map((c) => c.name),
      ["GetCommand", "TransactWriteCommand", "GetCommand", "TransactWriteCommand"],
    );
  });

  it("answers ERR_JOIN_TOKEN_USED when a concurrent join took the last use", async () => {
    const { client } = fakeClient(
      () => tokenItem(1),
      fail(cancelled("ConditionalCheckFailed", "None")),
      () => ({}),
    );
    await assert.rejects(makeStore(client).redeemJoinToken("t1", T, instance), { code: "ERR_JOIN_TOKEN_USED" });
  });

  it("answers ERR_STORE_CONFLICT when only the instance put failed", async () => {
    const { client } = fakeClient(() => tokenItem(1), fail(cancelled("None", "ConditionalCheckFailed", "None")));
    await assert.rejects(makeStore(client).redeemJoinToken("t1", T, instance), { code: "ERR_STORE_CONFLICT" });
  });

  it("turns a transaction cancelled by throttling into ERR_STORE", async () => {
    const { client } = fakeClient(() => tokenItem(1), fail(cancelled("ThrottlingError", "None", "None")));
    await assert.rejects(makeStore(client).redeemJoinToken("t1", T, instance), { code: "ERR_STORE" });
  });

  it("gives up with ERR_STORE_CONFLICT when the token keeps changing", async () => {
    const responders: Responder[] = [];
    for (let i = 0; i < 10; i++) responders.push(() => tokenItem(2), fail(cancelled("TransactionConflict", "None", "None")));
    const { client } = fakeClient(...responders);
    await assert.rejects(makeStore(client).redeemJoinToken("t1", T, instance), { code: "ERR_STORE_CONFLICT" });
  });

  it("puts a platform-joined instance and its single-use records in one transaction, retrying a collision", async () => {
    const claim = { namespace: "aws_ec2:1", key: "i-1@1", expiresAt: T + 60_000, now: T };
    const { client, sent } = fakeClient(fail(cancelled("None", "TransactionConflict")), () => ({}));
    await makeStore(client).createBotInstance(instance, [claim]);
    assert.deepEqual(
      sent.map((c) => c.name),
      ["TransactWriteCommand", "TransactWriteCommand"],
    );
    const actions = sent[0]?.input.TransactItems as { Put: Record<string, unknown> }[];
    assert.deepEqual(
      actions.map((a) => (a.Put.Item as { pk: string }).pk.split("#")[0]),
      ["INSTANCE", "REPLAY"],
    );
    assert.match(String(actions[1]?.Put.ConditionExpression), /attribute_not_exists\(pk\) OR expiresAt <= :now/);
    const taken = fakeClient(fail(cancelled("None", "TransactionConflict")), fail(cancelled("None", "ConditionalCheckFailed")));
    await assert.rejects(makeStore(taken.client).createBotInstance(instance, [claim]), { code: "ERR_REPLAY" });
    const idTaken = fakeClient(fail(cancelled("ConditionalCheckFailed", "None")));
    await assert.rejects(makeStore(idTaken.client).createBotInstance(instance, [claim]), { code: "ERR_STORE_CONFLICT" });
    const colliding = fakeClient(...Array.from({ length: 5 }, () => fail(cancelled("None", "TransactionConflict"))));
    await assert.rejects(makeStore(colliding.client).createBotInstance(instance, [claim]), { code: "ERR_STORE_CONFLICT" });
  });

  it("explains a lost renewal race by reading the instance again", async () => {
    const conditionFailed = awsError("ConditionalCheckFailedException");
    const stored = { Item: { pk: "INSTANCE#i1", sk: "INSTANCE", ...instance } };
    const renewal = { renewedAt: T, expiresAt: T + 1, credentialHash: "h2" };
    const locked = { Item: { ...stored.Item, lock: { reason: "copy", lockedAt: T, lockedBy: "tessera" } } };
    const lockedRace = fakeClient(
      () => stored,
      fail(conditionFailed),
      () => locked,
    );
    await assert.rejects(makeStore(lockedRace.client).advanceGeneration("i1", 1, renewal), { code: "ERR_BOT_LOCKED" });
    const moved = { Item: { ...stored.Item, generation: 2 } };
    const movedRace = fakeClient(
      () => stored,
      fail(conditionFailed),
      () => moved,
    );
    await assert.rejects(makeStore(movedRace.client).advanceGeneration("i1", 1, renewal), { code: "ERR_GENERATION_MISMATCH" });
    const goneRace = fakeClient(
      () => stored,
      fail(conditionFailed),
      () => ({}),
    );
    await assert.rejects(makeStore(goneRace.client).advanceGeneration("i1", 1, renewal), { code: "ERR_BOT_INSTANCE_NOT_FOUND" });
  });

  it("keeps SVID events out of the SPIFFE ID index, and reads the month partitions for a SPIFFE ID query that may match them", async () => {
    const put = () => ({});
    const { client, sent } = fakeClient(
      put,
      put,
      () => ({ Items: [] }),
      () => ({ Items: [] }),
    );
    const store = makeStore(client);
    const event = { time: T, botName: "builder", spiffeId: "spiffe://example.org/a" };
    await store.appendAudit({ id: "e1", type: "x509_svid", ...event });
    await store.appendAudit({ id: "e2", type: "svid_refused", ...event });
    const [svid, refusal] = sent.map((c) => c.input.Item as Record<string, unknown>);
    assert.equal(svid?.gsi2pk, undefined);
    assert.equal(svid?.gsi1pk, "AUDIT#BOT#builder");
    assert.equal(refusal?.gsi2pk, "AUDIT#SPIFFE#spiffe://example.org/a");
    await store.listAudit({ spiffeId: "spiffe://example.org/a", type: "svid_refused", limit: 1 });
    assert.equal(sent[2]?.input.IndexName, "gsi2");
    await store.listAudit({ spiffeId: "spiffe://example.org/a", limit: 1, since: T - 1000 });
    assert.equal(sent[3]?.input.IndexName, undefined);
    assert.match(String(sent[3]?.input.FilterExpression), /#spiffeId = :spiffeId/);
  });

  it("close() is a no-op", async () => {
    const { client, sent } = fakeClient();
    await makeStore(client).close();
    assert.equal(sent.length, 0);
  });
});
