import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { BOT_INSTANCE_RETENTION_MS } from "../record-rules.js";
import { describeRevocationStore } from "./revocation-conformance.js";
import {
  RETIRED_CREDENTIALS_KEPT,
  type AuditEvent,
  type AuditEventType,
  type AuditFilter,
  type Bot,
  type BotInstance,
  type CaJournal,
  type JoinToken,
  type JournalKind,
  type Lock,
  type Store,
} from "../types.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const LOCK: Lock = { reason: "copy of credential seen", lockedAt: 1_700_000_000_000, lockedBy: "tessera" };

/** The id `makeBot` gives a bot of this name unless told otherwise (tokens and instances default to it). */
function idOf(name: string): string {
  return `bot-id-${name}`;
}

function makeBot(name: string, overrides: Partial<Bot> = {}): Bot {
  return {
    id: idOf(name),
    name,
    allowedSpiffeIds: [`spiffe://example.org/${name}`, "spiffe://example.org/ci/*"],
    joinRules: [
      { method: "token" },
      { method: "oidc", issuer: "https://token.actions.githubusercontent.com", claims: { repository: "acme/app" } },
    ],
    maxSvidTtlSeconds: 3600,
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

function makeToken(botName: string, overrides: Partial<JoinToken> = {}): JoinToken {
  return {
    tokenHash: randomUUID().replaceAll("-", ""),
    botId: idOf(botName),
    botName,
    usesRemaining: 1,
    expiresAt: Date.now() + 60 * MINUTE,
    createdAt: Date.now(),
    ...overrides,
  };
}

function makeInstance(botName: string, overrides: Partial<BotInstance> = {}): BotInstance {
  const now = Date.now();
  return {
    id: randomUUID(),
    botId: idOf(botName),
    botName,
    joinMethod: "token",
    generation: 1,
    createdAt: now,
    renewedAt: now,
    expiresAt: now + 60 * MINUTE,
    attributes: { account: "123456789012", role: "builder" },
    credentialHash: `hash-${randomUUID()}`,
    retiredCredentialHashes: [],
    ...overrides,
  };
}

function makeJournal(kind: JournalKind, version: number): CaJournal {
  return {
    kind,
    version,
    slots: [
      {
        slot: "a",
        status: "active",
        keyId: `key-${kind}-${version}`,
        keyGeneration: version,
        certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        notBefore: 1_700_000_000_000,
        notAfter: 1_800_000_000_000,
        preparedAt: 1_700_000_000_000,
        activatedAt: 1_700_000_100_000,
      },
    ],
    bundleSequence: version,
    updatedAt: 1_700_000_000_000 + version,
  };
}

function makeEvent(time: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return { id: randomUUID(), type: "x509_svid", time, ...overrides };
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code, `expected ${code}, got ${String(err)}`);
    return true;
  });
}

/** Settle racing calls; returns how many succeeded and the codes of the failures. */
async function race(calls: Promise<unknown>[]): Promise<{ won: number; codes: string[] }> {
  const results = await Promise.allSettled(calls);
  const codes = results
    .filter((r): r is PromiseRejectedResult => r.status === "rejected")
    .map((r) => String((r.reason as { code?: unknown }).code ?? r.reason));
  return { won: results.length - codes.length, codes };
}

/** Retry an assertion briefly: list operations of some stores read eventually consistent indexes. */
async function eventually(check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** Create one bot per name (with `makeBot`'s defaults). */
async function addBots(store: Store, ...names: string[]): Promise<void> {
  for (const name of names) await store.createBot(makeBot(name));
}

/** Register the `Store` conformance suite for one implementation; `makeStore` gives a fresh, empty store. */
export function runStoreConformance(name: string, makeStore: () => Promise<Store>): void {
  function test(title: string, body: (store: Store) => Promise<void>): void {
    it(title, async () => {
      const store = await makeStore();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });
  }

  describe(`${name} conforms to Store`, () => {
    describeRevocationStore(test);
    describe("bots", () => {
      test("creates, reads and lists bots", async (store) => {
        const beta = makeBot("beta");
        const alpha = makeBot("alpha", { maxSvidTtlSeconds: 600 });
        await store.createBot(beta);
        await store.createBot(alpha);
        assert.deepEqual(await store.getBot("alpha"), alpha);
        assert.equal(await store.getBot("gamma"), undefined);
        await eventually(async () => assert.deepEqual(await store.listBots(), [alpha, beta]));
      });

      test("refuses a second bot of the same name and keeps the first", async (store) => {
        const first = makeBot("alpha");
        await store.createBot(first);
        await rejectsWithCode(store.createBot(makeBot("alpha", { maxSvidTtlSeconds: 1 })), "ERR_BOT_EXISTS");
        assert.deepEqual(await store.getBot("alpha"), first);
      });

      test("deletes bots", async (store) => {
        await store.createBot(makeBot("alpha"));
        await store.deleteBot("alpha");
        assert.equal(await store.getBot("alpha"), undefined);
        await rejectsWithCode(store.deleteBot("alpha"), "ERR_BOT_NOT_FOUND");
      });

      test("locks and unlocks bots", async (store) => {
        const bot = makeBot("alpha");
        await store.createBot(bot);
        assert.deepEqual(await store.setBotLock("alpha", LOCK), { ...bot, lock: LOCK });
        assert.deepEqual(await store.getBot("alpha"), { ...bot, lock: LOCK });
        assert.deepEqual(await store.setBotLock("alpha", undefined), bot);
        assert.deepEqual(await store.getBot("alpha"), bot);
        await rejectsWithCode(store.setBotLock("nobody", LOCK), "ERR_BOT_NOT_FOUND");
      });

      test("lets exactly one of two racing creates of one name win", async (store) => {
        const { won, codes } = await race([store.createBot(makeBot("alpha")), store.createBot(makeBot("alpha"))]);
        assert.equal(won, 1);
        assert.deepEqual(codes, ["ERR_BOT_EXISTS"]);
      });
    });

    describe("bot identity", () => {
      const renewal = () => ({ renewedAt: Date.now(), expiresAt: Date.now() + MINUTE, credentialHash: "next" });
      const listsOf = async (store: Store, name?: string) => ({
        tokens: await store.listJoinTokens(name),
        instances: await store.listBotInstances(name),
      });

      test("deletes a bot with its join tokens and instances, and returns it", async (store) => {
        await addBots(store, "a", "b");
        const [once, multi] = [makeToken("a"), makeToken("a", { usesRemaining: 5 })];
        const tokens = [once, multi];
        const kept = makeToken("b");
        for (const token of [...tokens, kept]) await store.createJoinToken(token);
        const joined = makeInstance("a");
        await store.redeemJoinToken(multi.tokenHash, Date.now(), joined);
        const platform = makeInstance("a", { joinMethod: "aws_iam" });
        const bystander = makeInstance("b");
        for (const instance of [platform, bystander]) await store.createBotInstance(instance);
        assert.deepEqual(await store.deleteBot("a"), makeBot("a"));
        for (const token of tokens) assert.equal(await store.getJoinToken(token.tokenHash), undefined);
        for (const instance of [joined, platform]) assert.equal(await store.getBotInstance(instance.id), undefined);
        assert.deepEqual(await store.getJoinToken(kept.tokenHash), kept);
        assert.deepEqual(await store.getBotInstance(bystander.id), bystander);
        await eventually(async () => assert.deepEqual(await listsOf(store), { tokens: [kept], instances: [bystander] }));
      });

      test("gives a bot created under a deleted bot's name nothing of the deleted one", async (store) => {
        await addBots(store, "a");
        const spare = makeToken("a", { usesRemaining: 3 });
        await store.createJoinToken(spare);
        const joined = makeInstance("a");
        await store.redeemJoinToken(spare.tokenHash, Date.now(), joined);
        await store.deleteBot("a");
        const reborn = makeBot("a", { id: "bot-id-a-reborn" });
        await store.createBot(reborn);
        assert.deepEqual(await store.getBot("a"), reborn);
        assert.equal(await store.getJoinToken(spare.tokenHash), undefined);
        assert.equal(await store.getBotInstance(joined.id), undefined);
        for (const botId of [idOf("a"), reborn.id]) {
          const intruder = makeInstance("a", { botId });
          await rejectsWithCode(store.redeemJoinToken(spare.tokenHash, Date.now(), intruder), "ERR_JOIN_TOKEN_INVALID");
          assert.equal(await store.getBotInstance(intruder.id), undefined);
        }
        await rejectsWithCode(store.advanceGeneration(joined.id, 1, renewal()), "ERR_BOT_INSTANCE_NOT_FOUND");
        await eventually(async () => {
          assert.deepEqual(await listsOf(store, "a"), { tokens: [], instances: [] });
          assert.deepEqual(await listsOf(store), { tokens: [], instances: [] });
        });
      });

      test("refuses and never lists records bound to a bot that is gone (a delete cut short)", async (store) => {
        // What a delete interrupted between the bot and its records leaves, under a bot created since.
        const reborn = makeBot("a", { id: "bot-id-a-reborn" });
        await store.createBot(reborn);
        const stale = makeToken("a", { usesRemaining: 2 });
        const orphan = makeToken("gone");
        for (const token of [stale, orphan]) await store.createJoinToken(token);
        const staleInstance = makeInstance("a");
        await store.createBotInstance(staleInstance);
        for (const botId of [idOf("a"), reborn.id]) {
          const intruder = makeInstance("a", { botId });
          await rejectsWithCode(store.redeemJoinToken(stale.tokenHash, Date.now(), intruder), "ERR_JOIN_TOKEN_INVALID");
          assert.equal(await store.getBotInstance(intruder.id), undefined);
        }
        const lost = makeInstance("gone");
        await rejectsWithCode(store.redeemJoinToken(orphan.tokenHash, Date.now(), lost), "ERR_JOIN_TOKEN_INVALID");
        assert.equal(await store.getBotInstance(lost.id), undefined);
        assert.deepEqual(await store.getJoinToken(stale.tokenHash), stale);
        await eventually(async () => {
          assert.deepEqual(await listsOf(store, "a"), { tokens: [], instances: [] });
          assert.deepEqual(await listsOf(store), { tokens: [], instances: [] });
        });
      });

      test("leaves nothing usable or listed for a bot re-created after a delete raced joins", async (store) => {
        for (let round = 0; round < 4; round++) {
          const name = `race-${round}`;
          await addBots(store, name);
          const token = makeToken(name, { usesRemaining: 3 });
          await store.createJoinToken(token);
          const joins = Array.from({ length: 3 }, () => makeInstance(name));
          // Start the delete before, between or after the joins: each round interleaves differently.
          const calls: (() => Promise<unknown>)[] = joins.map((i) => () => store.redeemJoinToken(token.tokenHash, Date.now(), i));
          calls.splice(round, 0, () => store.deleteBot(name));
          const results = await Promise.allSettled(calls.map((call) => call()));
          assert.equal(results[round]?.status, "fulfilled", `round ${round}: the delete failed`);
          for (const result of results) {
            if (result.status === "fulfilled") continue;
            const code = String((result.reason as { code?: unknown }).code);
            assert.ok(["ERR_JOIN_TOKEN_INVALID", "ERR_JOIN_TOKEN_USED"].includes(code), `round ${round}: ${code}`);
          }
          const reborn = makeBot(name, { id: `${idOf(name)}-reborn` });
          await store.createBot(reborn);
          const late = makeInstance(name, { botId: reborn.id });
          await rejectsWithCode(store.redeemJoinToken(token.tokenHash, Date.now(), late), "ERR_JOIN_TOKEN_INVALID");
          for (const instance of joins) {
            const stored = await store.getBotInstance(instance.id);
            if (stored !== undefined) assert.equal(stored.botId, idOf(name), `round ${round}: an instance changed its bot`);
          }
          await eventually(async () => assert.deepEqual(await listsOf(store, name), { tokens: [], instances: [] }));
        }
      });
    });

    describe("join tokens", () => {
      test("creates, reads, lists and deletes tokens", async (store) => {
        await addBots(store, "a", "a#b");
        const a1 = makeToken("a");
        const a2 = makeToken("a", { usesRemaining: 3, lock: LOCK });
        const other = makeToken("a#b");
        for (const token of [a1, a2, other]) await store.createJoinToken(token);
        assert.deepEqual(await store.getJoinToken(a2.tokenHash), a2);
        assert.equal(await store.getJoinToken("0".repeat(64)), undefined);
        const byHash = byKey<JoinToken>((t) => t.tokenHash);
        await eventually(async () => {
          assert.deepEqual((await store.listJoinTokens("a")).sort(byHash), [a1, a2].sort(byHash));
          assert.deepEqual((await store.listJoinTokens()).sort(byHash), [a1, a2, other].sort(byHash));
          assert.deepEqual(await store.listJoinTokens("nobody"), []);
        });
        await store.deleteJoinToken(a1.tokenHash);
        assert.equal(await store.getJoinToken(a1.tokenHash), undefined);
        await store.deleteJoinToken(a1.tokenHash);
      });

      test("refuses a second live token with the same hash", async (store) => {
        const token = makeToken("a");
        await store.createJoinToken(token);
        await rejectsWithCode(store.createJoinToken({ ...token, usesRemaining: 9 }), "ERR_STORE_CONFLICT");
        assert.deepEqual(await store.getJoinToken(token.tokenHash), token);
      });

      test("treats expired tokens as gone", async (store) => {
        const expired = makeToken("a", { expiresAt: Date.now() - 1000 });
        await store.createJoinToken(expired);
        assert.equal(await store.getJoinToken(expired.tokenHash), undefined);
        await eventually(async () => assert.deepEqual(await store.listJoinTokens("a"), []));
        await rejectsWithCode(store.setJoinTokenLock(expired.tokenHash, LOCK), "ERR_JOIN_TOKEN_INVALID");
      });

      test("locks and unlocks tokens", async (store) => {
        const token = makeToken("a");
        await store.createJoinToken(token);
        await store.setJoinTokenLock(token.tokenHash, LOCK);
        assert.deepEqual(await store.getJoinToken(token.tokenHash), { ...token, lock: LOCK });
        await store.setJoinTokenLock(token.tokenHash, undefined);
        assert.deepEqual(await store.getJoinToken(token.tokenHash), token);
        await rejectsWithCode(store.setJoinTokenLock("f".repeat(64), LOCK), "ERR_JOIN_TOKEN_INVALID");
      });

      test("redeems a one-use token once and removes it", async (store) => {
        await addBots(store, "a");
        const token = makeToken("a");
        await store.createJoinToken(token);
        const instance = makeInstance("a");
        assert.deepEqual(await store.redeemJoinToken(token.tokenHash, Date.now(), instance), {
          ...token,
          usesRemaining: 0,
        });
        assert.deepEqual(await store.getBotInstance(instance.id), instance);
        assert.equal(await store.getJoinToken(token.tokenHash), undefined);
        const second = makeInstance("a");
        await rejectsWithCode(store.redeemJoinToken(token.tokenHash, Date.now(), second), "ERR_JOIN_TOKEN_INVALID");
        assert.equal(await store.getBotInstance(second.id), undefined);
      });

      test("spends the uses of a multi-use token one at a time", async (store) => {
        await addBots(store, "a");
        const token = makeToken("a", { usesRemaining: 2 });
        await store.createJoinToken(token);
        const first = await store.redeemJoinToken(token.tokenHash, Date.now(), makeInstance("a"));
        assert.equal(first.usesRemaining, 1);
        assert.deepEqual(await store.getJoinToken(token.tokenHash), { ...token, usesRemaining: 1 });
        const last = await store.redeemJoinToken(token.tokenHash, Date.now(), makeInstance("a"));
        assert.equal(last.usesRemaining, 0);
        assert.equal(await store.getJoinToken(token.tokenHash), undefined);
      });

      test("refuses a token with no use left", async (store) => {
        await addBots(store, "a");
        const token = makeToken("a", { usesRemaining: 0 });
        await store.createJoinToken(token);
        const instance = makeInstance("a");
        await rejectsWithCode(store.redeemJoinToken(token.tokenHash, Date.now(), instance), "ERR_JOIN_TOKEN_USED");
        assert.equal(await store.getBotInstance(instance.id), undefined);
      });

      test("refuses unknown and expired tokens and writes no instance", async (store) => {
        await addBots(store, "a");
        const unknown = makeInstance("a");
        await rejectsWithCode(store.redeemJoinToken("e".repeat(64), Date.now(), unknown), "ERR_JOIN_TOKEN_INVALID");
        const expired = makeToken("a", { expiresAt: Date.now() - 1 });
        await store.createJoinToken(expired);
        const late = makeInstance("a");
        await rejectsWithCode(store.redeemJoinToken(expired.tokenHash, Date.now(), late), "ERR_JOIN_TOKEN_INVALID");
        const live = makeToken("a");
        await store.createJoinToken(live);
        const atExpiry = makeInstance("a");
        await rejectsWithCode(store.redeemJoinToken(live.tokenHash, live.expiresAt, atExpiry), "ERR_JOIN_TOKEN_INVALID");
        for (const instance of [unknown, late, atExpiry]) assert.equal(await store.getBotInstance(instance.id), undefined);
        assert.deepEqual(await store.getJoinToken(live.tokenHash), live);
      });

      test("refuses a locked token until it is unlocked", async (store) => {
        await addBots(store, "a");
        const token = makeToken("a", { usesRemaining: 2 });
        await store.createJoinToken(token);
        await store.setJoinTokenLock(token.tokenHash, LOCK);
        const refused = makeInstance("a");
        await rejectsWithCode(store.redeemJoinToken(token.tokenHash, Date.now(), refused), "ERR_JOIN_TOKEN_INVALID");
        assert.equal(await store.getBotInstance(refused.id), undefined);
        assert.deepEqual(await store.getJoinToken(token.tokenHash), { ...token, lock: LOCK });
        await store.setJoinTokenLock(token.tokenHash, undefined);
        const accepted = makeInstance("a");
        await store.redeemJoinToken(token.tokenHash, Date.now(), accepted);
        assert.deepEqual(await store.getBotInstance(accepted.id), accepted);
      });

      test("refuses a token for an instance of another bot", async (store) => {
        await addBots(store, "a", "b");
        const token = makeToken("a");
        await store.createJoinToken(token);
        const intruder = makeInstance("b");
        await rejectsWithCode(store.redeemJoinToken(token.tokenHash, Date.now(), intruder), "ERR_JOIN_TOKEN_INVALID");
        assert.equal(await store.getBotInstance(intruder.id), undefined);
        assert.deepEqual(await store.getJoinToken(token.tokenHash), token);
      });

      test("spends no use when the instance id is taken", async (store) => {
        await addBots(store, "a");
        const existing = makeInstance("a");
        await store.createBotInstance(existing);
        const token = makeToken("a");
        await store.createJoinToken(token);
        const clash = makeInstance("a", { id: existing.id, generation: 7 });
        await rejectsWithCode(store.redeemJoinToken(token.tokenHash, Date.now(), clash), "ERR_STORE_CONFLICT");
        assert.deepEqual(await store.getJoinToken(token.tokenHash), token);
        assert.deepEqual(await store.getBotInstance(existing.id), existing);
      });

      test("lets exactly one of five racing joins spend a one-use token", async (store) => {
        await addBots(store, "a");
        const token = makeToken("a");
        await store.createJoinToken(token);
        const instances = Array.from({ length: 5 }, () => makeInstance("a"));
        const { won, codes } = await race(instances.map((i) => store.redeemJoinToken(token.tokenHash, Date.now(), i)));
        assert.equal(won, 1);
        for (const code of codes) assert.ok(["ERR_JOIN_TOKEN_USED", "ERR_JOIN_TOKEN_INVALID"].includes(code), code);
        const stored = (await Promise.all(instances.map((i) => store.getBotInstance(i.id)))).filter(Boolean);
        assert.equal(stored.length, 1);
        assert.equal(await store.getJoinToken(token.tokenHash), undefined);
      });

      test("lets exactly three of five racing joins spend a three-use token", async (store) => {
        await addBots(store, "a");
        const token = makeToken("a", { usesRemaining: 3 });
        await store.createJoinToken(token);
        const instances = Array.from({ length: 5 }, () => makeInstance("a"));
        const { won, codes } = await race(instances.map((i) => store.redeemJoinToken(token.tokenHash, Date.now(), i)));
        assert.equal(won, 3);
        for (const code of codes) assert.ok(["ERR_JOIN_TOKEN_USED", "ERR_JOIN_TOKEN_INVALID"].includes(code), code);
        const stored = (await Promise.all(instances.map((i) => store.getBotInstance(i.id)))).filter(Boolean);
        assert.equal(stored.length, 3);
        assert.equal(await store.getJoinToken(token.tokenHash), undefined);
        await eventually(async () => assert.equal((await store.listBotInstances("a")).length, 3));
      });
    });

    describe("bot instances", () => {
      test("creates, reads and lists instances", async (store) => {
        await addBots(store, "a", "a#b");
        const byId = byKey<BotInstance>((i) => i.id);
        const a1 = makeInstance("a");
        const a2 = makeInstance("a", { joinMethod: "aws_iam", lock: LOCK });
        const other = makeInstance("a#b");
        for (const instance of [a1, a2, other]) await store.createBotInstance(instance);
        assert.deepEqual(await store.getBotInstance(a2.id), a2);
        assert.equal(await store.getBotInstance(randomUUID()), undefined);
        await eventually(async () => {
          assert.deepEqual((await store.listBotInstances("a")).sort(byId), [a1, a2].sort(byId));
          assert.deepEqual((await store.listBotInstances()).sort(byId), [a1, a2, other].sort(byId));
        });
      });

      test("creates an instance and its single-use records in one write: all or nothing, one winner of a race", async (store) => {
        const t = Date.now();
        const claim = (key: string) => ({ namespace: "join", key, expiresAt: t + MINUTE, now: t });
        const first = makeInstance("a");
        await store.createBotInstance(first, [claim("k1")]);
        await rejectsWithCode(store.claimOnce("join", "k1", t + MINUTE, t), "ERR_REPLAY");
        const second = makeInstance("a");
        await rejectsWithCode(store.createBotInstance(second, [claim("k2"), claim("k1")]), "ERR_REPLAY");
        assert.equal(await store.getBotInstance(second.id), undefined);
        await store.claimOnce("join", "k2", t + MINUTE, t);
        await rejectsWithCode(store.createBotInstance({ ...first }, [claim("k3")]), "ERR_STORE_CONFLICT");
        await store.claimOnce("join", "k3", t + MINUTE, t);
        const racers = Array.from({ length: 4 }, () => makeInstance("a"));
        const results = await Promise.allSettled(racers.map((racer) => store.createBotInstance(racer, [claim("k4")])));
        assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
        for (const r of results) if (r.status === "rejected") assert.equal((r.reason as { code?: string }).code, "ERR_REPLAY");
        const created = await Promise.all(racers.map((racer) => store.getBotInstance(racer.id)));
        assert.equal(created.filter(Boolean).length, 1);
      });

      test("refuses a second instance with the same id", async (store) => {
        const instance = makeInstance("a");
        await store.createBotInstance(instance);
        await rejectsWithCode(store.createBotInstance({ ...instance, generation: 9 }), "ERR_STORE_CONFLICT");
        assert.deepEqual(await store.getBotInstance(instance.id), instance);
      });

      test("keeps an instance for a week after its credential expires, then forgets it", async (store) => {
        await addBots(store, "a");
        const recent = makeInstance("a", { expiresAt: Date.now() - MINUTE });
        const stale = makeInstance("a", { expiresAt: Date.now() - BOT_INSTANCE_RETENTION_MS - MINUTE });
        await store.createBotInstance(recent);
        await store.createBotInstance(stale);
        assert.deepEqual(await store.getBotInstance(recent.id), recent);
        assert.equal(await store.getBotInstance(stale.id), undefined);
        await eventually(async () => assert.deepEqual(await store.listBotInstances("a"), [recent]));
        const renewal = { renewedAt: Date.now(), expiresAt: Date.now() + MINUTE, credentialHash: "new" };
        await rejectsWithCode(store.advanceGeneration(stale.id, 1, renewal), "ERR_BOT_INSTANCE_NOT_FOUND");
        await rejectsWithCode(store.setBotInstanceLock(stale.id, LOCK), "ERR_BOT_INSTANCE_NOT_FOUND");
        const reused = makeInstance("a", { id: stale.id });
        await store.createBotInstance(reused);
        assert.deepEqual(await store.getBotInstance(stale.id), reused);
      });

      test("advances the generation and retires the old credential", async (store) => {
        const instance = makeInstance("a", { retiredCredentialHashes: ["older"] });
        await store.createBotInstance(instance);
        const renewal = { renewedAt: instance.renewedAt + 1000, expiresAt: instance.expiresAt + 1000, credentialHash: "next" };
        const expected: BotInstance = {
          ...instance,
          ...renewal,
          generation: 2,
          retiredCredentialHashes: [instance.credentialHash, "older"],
        };
        assert.deepEqual(await store.advanceGeneration(instance.id, 1, renewal), expected);
        assert.deepEqual(await store.getBotInstance(instance.id), expected);
      });

      test(`keeps the newest ${RETIRED_CREDENTIALS_KEPT} retired credential hashes`, async (store) => {
        const instance = makeInstance("a", { credentialHash: "c1" });
        await store.createBotInstance(instance);
        const rounds = RETIRED_CREDENTIALS_KEPT + 4;
        let latest = instance;
        for (let generation = 1; generation <= rounds; generation++) {
          latest = await store.advanceGeneration(instance.id, generation, {
            renewedAt: instance.renewedAt + generation,
            expiresAt: instance.expiresAt + generation,
            credentialHash: `c${generation + 1}`,
          });
        }
        assert.equal(latest.generation, rounds + 1);
        assert.equal(latest.credentialHash, `c${rounds + 1}`);
        const retired = Array.from({ length: RETIRED_CREDENTIALS_KEPT }, (_, i) => `c${rounds - i}`);
        assert.deepEqual(latest.retiredCredentialHashes, retired);
        assert.deepEqual((await store.getBotInstance(instance.id))?.retiredCredentialHashes, retired);
      });

      test("refuses a stale generation and an unknown instance", async (store) => {
        const instance = makeInstance("a", { generation: 4 });
        await store.createBotInstance(instance);
        const renewal = { renewedAt: Date.now(), expiresAt: Date.now() + MINUTE, credentialHash: "copy" };
        await rejectsWithCode(store.advanceGeneration(instance.id, 3, renewal), "ERR_GENERATION_MISMATCH");
        await rejectsWithCode(store.advanceGeneration(instance.id, 5, renewal), "ERR_GENERATION_MISMATCH");
        assert.deepEqual(await store.getBotInstance(instance.id), instance);
        await rejectsWithCode(store.advanceGeneration(randomUUID(), 1, renewal), "ERR_BOT_INSTANCE_NOT_FOUND");
      });

      test("refuses to advance a locked instance until it is unlocked", async (store) => {
        const instance = makeInstance("a");
        await store.createBotInstance(instance);
        assert.deepEqual(await store.setBotInstanceLock(instance.id, LOCK), { ...instance, lock: LOCK });
        const renewal = { renewedAt: Date.now(), expiresAt: Date.now() + MINUTE, credentialHash: "next" };
        await rejectsWithCode(store.advanceGeneration(instance.id, 1, renewal), "ERR_BOT_LOCKED");
        assert.deepEqual(await store.getBotInstance(instance.id), { ...instance, lock: LOCK });
        assert.deepEqual(await store.setBotInstanceLock(instance.id, undefined), instance);
        assert.equal((await store.advanceGeneration(instance.id, 1, renewal)).generation, 2);
        await rejectsWithCode(store.setBotInstanceLock(randomUUID(), LOCK), "ERR_BOT_INSTANCE_NOT_FOUND");
      });

      test("lets exactly one of two racing renewals of one generation win", async (store) => {
        const instance = makeInstance("a");
        await store.createBotInstance(instance);
        const renew = (hash: string) =>
          store.advanceGeneration(instance.id, 1, { renewedAt: Date.now(), expiresAt: Date.now() + MINUTE, credentialHash: hash });
        const { won, codes } = await race([renew("x"), renew("y")]);
        assert.equal(won, 1);
        assert.deepEqual(codes, ["ERR_GENERATION_MISMATCH"]);
        const stored = await store.getBotInstance(instance.id);
        assert.equal(stored?.generation, 2);
        assert.deepEqual(stored?.retiredCredentialHashes, [instance.credentialHash]);
      });
    });

    describe("replay", () => {
      test("claims a value once until it expires", async (store) => {
        const t = Date.now();
        await store.claimOnce("challenge", "c1", t + 10 * MINUTE, t);
        await rejectsWithCode(store.claimOnce("challenge", "c1", t + 20 * MINUTE, t + MINUTE), "ERR_REPLAY");
        await store.claimOnce("challenge", "c1", t + 30 * MINUTE, t + 10 * MINUTE);
        await rejectsWithCode(store.claimOnce("challenge", "c1", t + 40 * MINUTE, t + 20 * MINUTE), "ERR_REPLAY");
      });

      test("tells whether a value is claimed and unexpired, without claiming it", async (store) => {
        const t = Date.now();
        assert.equal(await store.isClaimed("challenge", "c2", t), false);
        assert.equal(await store.isClaimed("challenge", "c2", t), false);
        await store.claimOnce("challenge", "c2", t + MINUTE, t);
        assert.equal(await store.isClaimed("challenge", "c2", t), true);
        assert.equal(await store.isClaimed("other", "c2", t), false);
        assert.equal(await store.isClaimed("challenge", "c2", t + MINUTE), false);
      });

      test("keeps namespaces and keys apart", async (store) => {
        const t = Date.now();
        await store.claimOnce("a#b", "c", t + MINUTE, t);
        await store.claimOnce("a", "b#c", t + MINUTE, t);
        await store.claimOnce("a", "c", t + MINUTE, t);
        await store.claimOnce("b", "c", t + MINUTE, t);
        await rejectsWithCode(store.claimOnce("a#b", "c", t + MINUTE, t), "ERR_REPLAY");
      });

      test("lets exactly one of five racing claims win", async (store) => {
        const t = Date.now();
        const { won, codes } = await race(Array.from({ length: 5 }, () => store.claimOnce("jti", "j1", t + MINUTE, t)));
        assert.equal(won, 1);
        assert.deepEqual(codes, Array(4).fill("ERR_REPLAY"));
      });
    });

    describe("journals", () => {
      test("creates and replaces a journal version by version", async (store) => {
        assert.equal(await store.getJournal("x509"), undefined);
        await store.putJournal(makeJournal("x509", 1), 0);
        assert.deepEqual(await store.getJournal("x509"), makeJournal("x509", 1));
        await rejectsWithCode(store.putJournal(makeJournal("x509", 1), 0), "ERR_JOURNAL_CONFLICT");
        await store.putJournal(makeJournal("x509", 2), 1);
        await rejectsWithCode(store.putJournal(makeJournal("x509", 2), 1), "ERR_JOURNAL_CONFLICT");
        await rejectsWithCode(store.putJournal(makeJournal("x509", 4), 3), "ERR_JOURNAL_CONFLICT");
        assert.deepEqual(await store.getJournal("x509"), makeJournal("x509", 2));
        assert.equal(await store.getJournal("jwt"), undefined);
        await rejectsWithCode(store.putJournal(makeJournal("jwt", 2), 1), "ERR_JOURNAL_CONFLICT");
        await store.putJournal(makeJournal("jwt", 1), 0);
        assert.deepEqual(await store.getJournal("jwt"), makeJournal("jwt", 1));
      });

      test("refuses a journal whose version does not follow the expected one", async (store) => {
        await assert.rejects(store.putJournal(makeJournal("x509", 3), 0), TypeError);
        await assert.rejects(store.putJournal(makeJournal("x509", 1), -1), TypeError);
        assert.equal(await store.getJournal("x509"), undefined);
      });

      test("lets exactly one of two racing writers of one version win", async (store) => {
        await store.putJournal(makeJournal("jwt", 1), 0);
        const one = { ...makeJournal("jwt", 2), bundleSequence: 10 };
        const two = { ...makeJournal("jwt", 2), bundleSequence: 20 };
        const { won, codes } = await race([store.putJournal(one, 1), store.putJournal(two, 1)]);
        assert.equal(won, 1);
        assert.deepEqual(codes, ["ERR_JOURNAL_CONFLICT"]);
        assert.ok([10, 20].includes((await store.getJournal("jwt"))?.bundleSequence ?? 0));
      });
    });

    describe("audit", () => {
      test("lists events newest first", async (store) => {
        const t = Date.now();
        const oldest = makeEvent(t - 3000, { type: "join", botName: "a", instanceId: "i1", joinMethod: "token" });
        const newest = makeEvent(t - 1000, {
          botName: "a",
          spiffeId: "spiffe://example.org/a",
          serialOrJti: "0a1b",
          expiresAt: t + 3_600_000,
          keyThumbprint: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
          detail: { reason: "renewal" },
        });
        const middle = makeEvent(t - 2000, { type: "bot_created" });
        for (const event of [oldest, newest, middle]) await store.appendAudit(event);
        assert.deepEqual(await store.listAudit(), [newest, middle, oldest]);
        assert.deepEqual(await store.listAudit({}), [newest, middle, oldest]);
      });

      test("filters by bot, SPIFFE ID, type and time", async (store) => {
        const t = Date.now();
        const e1 = makeEvent(t - 5000, { type: "join", botName: "a" });
        const e2 = makeEvent(t - 4000, { botName: "a", spiffeId: "spiffe://example.org/one" });
        const e3 = makeEvent(t - 3000, { type: "jwt_svid", botName: "b", spiffeId: "spiffe://example.org/one" });
        const e4 = makeEvent(t - 2000, { botName: "b", spiffeId: "spiffe://example.org/two" });
        const e5 = makeEvent(t - 1000, { type: "jwt_svid", botName: "a", spiffeId: "spiffe://example.org/two" });
        await Promise.all([e1, e2, e3, e4, e5].map((event) => store.appendAudit(event)));
        const cases: [Parameters<Store["listAudit"]>[0], AuditEvent[]][] = [
          [{ botName: "a" }, [e5, e2, e1]],
          [{ botName: "nobody" }, []],
          [{ spiffeId: "spiffe://example.org/one" }, [e3, e2]],
          [{ type: "jwt_svid" }, [e5, e3]],
          [{ type: "lock" }, []],
          [{ botName: "a", type: "x509_svid" }, [e2]],
          [{ botName: "b", spiffeId: "spiffe://example.org/one" }, [e3]],
          [{ spiffeId: "spiffe://example.org/two", type: "x509_svid" }, [e4]],
          [{ since: t - 3000 }, [e5, e4, e3]],
          [{ until: t - 3000 }, [e2, e1]],
          [{ since: t - 4000, until: t - 2000 }, [e3, e2]],
          [{ since: t - 1000, until: t - 1000 }, []],
          [{ botName: "a", since: t - 4000, until: t - 1000 }, [e2]],
          [{ spiffeId: "spiffe://example.org/two", until: t - 1000 }, [e4]],
        ];
        await eventually(async () => {
          for (const [filter, expected] of cases) {
            assert.deepEqual(await store.listAudit(filter), expected, JSON.stringify(filter));
          }
        });
      });

      test("returns at most the limit, newest first, 100 by default", async (store) => {
        const t = Date.now();
        const events = Array.from({ length: 103 }, (_, i) => makeEvent(t - 200_000 + i * 1000, { botName: "a" }));
        await Promise.all(events.map((event) => store.appendAudit(event)));
        const newestFirst = [...events].reverse();
        assert.deepEqual(await store.listAudit({ limit: 2 }), newestFirst.slice(0, 2));
        assert.deepEqual(await store.listAudit({ limit: 0 }), []);
        assert.deepEqual(await store.listAudit(), newestFirst.slice(0, 100));
        assert.deepEqual(await store.listAudit({ limit: 500 }), newestFirst);
        await eventually(async () => {
          assert.deepEqual(await store.listAudit({ botName: "a", limit: 3 }), newestFirst.slice(0, 3));
          assert.deepEqual(await store.listAudit({ botName: "a" }), newestFirst.slice(0, 100));
        });
        await assert.rejects(store.listAudit({ limit: -1 }), TypeError);
      });

      test("orders events across days and months", async (store) => {
        const t = Date.now();
        const days = [0, 1, 3, 40, 100].map((ago) => makeEvent(t - ago * DAY - 1000, { botName: "a" }));
        for (const event of [...days].reverse()) await store.appendAudit(event);
        assert.deepEqual(await store.listAudit(), days);
        assert.deepEqual(await store.listAudit({ limit: 2 }), days.slice(0, 2));
        assert.deepEqual(await store.listAudit({ since: t - 4 * DAY }), days.slice(0, 3));
        assert.deepEqual(await store.listAudit({ until: t - DAY }), days.slice(1));
        await eventually(async () => assert.deepEqual(await store.listAudit({ botName: "a", limit: 3 }), days.slice(0, 3)));
      });

      test("pages newest first with a cursor (events of one millisecond included), by bot and across months, with a set of types", async (store) => {
        const t = Date.now();
        const events = [
          ...[0, 1, 2].map((i) => ({ ...makeEvent(t - 1000, { botName: "a", type: "svid_refused" }), id: `same-${i}` })),
          makeEvent(t - 2000, { botName: "a", type: "join_refused" }),
          makeEvent(t - 3000, { botName: "b", type: "join" }),
          makeEvent(t - 40 * DAY, { botName: "a", type: "renew_refused" }),
          makeEvent(t - 41 * DAY, { botName: "a", type: "join" }),
        ];
        await Promise.all(events.map((event) => store.appendAudit(event)));
        const pages = async (filter: AuditFilter, size: number): Promise<AuditEvent[][]> => {
          const out: AuditEvent[][] = [];
          let before: AuditFilter["before"];
          for (;;) {
            const page = await store.listAudit({ ...filter, limit: size, ...(before ? { before } : {}) });
            if (page.length === 0) return out;
            out.push(page);
            const last = page[page.length - 1] as AuditEvent;
            before = { time: last.time, id: last.id };
          }
        };
        const newestFirst = [...events].sort((x, y) => (x.time !== y.time ? y.time - x.time : x.id < y.id ? 1 : -1));
        await eventually(async () => {
          assert.deepEqual((await pages({}, 2)).flat(), newestFirst);
          assert.deepEqual(
            (await pages({}, 2)).map((p) => p.length),
            [2, 2, 2, 1],
          );
          assert.deepEqual(
            (await pages({ botName: "a" }, 2)).flat(),
            newestFirst.filter((e) => e.botName === "a"),
          );
          const refusals: AuditEventType[] = ["join_refused", "renew_refused", "svid_refused"];
          assert.deepEqual(
            (await pages({ types: refusals }, 3)).flat(),
            newestFirst.filter((e) => refusals.includes(e.type)),
          );
          assert.deepEqual(await store.listAudit({ types: [] }), []);
          assert.deepEqual(await store.listAudit({ before: { time: t - 2000, id: "\uffff" }, until: t - 2500 }), newestFirst.slice(4));
        });
      });

      test("refuses a duplicate event", async (store) => {
        const event = makeEvent(Date.now(), { type: "lock", detail: { actor: "admin" } });
        await store.appendAudit(event);
        await rejectsWithCode(store.appendAudit({ ...event }), "ERR_STORE_CONFLICT");
        assert.deepEqual(await store.listAudit(), [event]);
      });
    });
  });
}
