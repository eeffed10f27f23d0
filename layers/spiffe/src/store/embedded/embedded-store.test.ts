import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FixedClock } from "../../clock.js";
import { legacyBotId } from "../record-rules.js";
import { runStoreConformance } from "../test/conformance.js";
import type { AuditEvent, BotInstance, CaJournal } from "../types.js";
import { EMBEDDED_STORE_FILES, EmbeddedStore } from "./index.js";

let root = "";
let counter = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "tessera-embedded-store-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A copy of `record` without `key`: how records looked before bots had ids. */
function withoutKey<T extends object, K extends keyof T>(record: T, key: K): Omit<T, K> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

function freshDirectory(): string {
  return join(root, `store-${++counter}`, "data");
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code, String(err));
    return true;
  });
}

const T = 1_900_000_000_000;
const instance: BotInstance = {
  id: "instance-1",
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
const journal: CaJournal = { kind: "x509", version: 1, slots: [], bundleSequence: 1, updatedAt: T };
const event: AuditEvent = { id: "e1", type: "join", time: T - 1000, botName: "builder", instanceId: "instance-1" };
const bot = { id: "bot-1", name: "builder", allowedSpiffeIds: ["spiffe://example.org/builder"], joinRules: [], maxSvidTtlSeconds: 60, createdAt: T };

runStoreConformance("EmbeddedStore", () => EmbeddedStore.open({ directory: freshDirectory() }));

describe("EmbeddedStore on disk", () => {
  it("keeps everything across a reopen", async () => {
    const directory = freshDirectory();
    const clock = new FixedClock(T);
    const first = await EmbeddedStore.open({ directory, clock });
    await first.createBot(bot);
    const token = { tokenHash: "t1", botId: "bot-1", botName: "builder", usesRemaining: 3, expiresAt: T + 60_000, createdAt: T };
    await first.createJoinToken(token);
    await first.redeemJoinToken("t1", T, instance);
    await first.advanceGeneration(instance.id, 1, { renewedAt: T + 1, expiresAt: T + 7_200_000, credentialHash: "h2" });
    await first.putJournal(journal, 0);
    await first.claimOnce("challenge", "c1", T + 60_000, T);
    await first.appendAudit(event);
    await first.close();

    const second = await EmbeddedStore.open({ directory, clock });
    try {
      assert.deepEqual(await second.listBots(), [bot]);
      assert.deepEqual(await second.getJoinToken("t1"), { ...token, usesRemaining: 2 });
      assert.deepEqual(await second.getBotInstance(instance.id), {
        ...instance,
        generation: 2,
        renewedAt: T + 1,
        expiresAt: T + 7_200_000,
        credentialHash: "h2",
        retiredCredentialHashes: ["h1"],
      });
      assert.deepEqual(await second.getJournal("x509"), journal);
      assert.deepEqual(await second.listAudit(), [event]);
      await rejectsWithCode(second.claimOnce("challenge", "c1", T + 60_000, T + 1), "ERR_REPLAY");
      await rejectsWithCode(second.appendAudit(event), "ERR_STORE_CONFLICT");
    } finally {
      await second.close();
    }
  });

  it("binds records written before bot ids on open, for good, and drops those older than their bot", async () => {
    const directory = freshDirectory();
    await mkdir(directory, { recursive: true });
    const legacyBot = withoutKey(bot, "id");
    const legacyInstance = withoutKey(instance, "botId");
    const legacyToken = { tokenHash: "t-new", botName: "builder", usesRemaining: 2, expiresAt: T + 60_000, createdAt: T + 5 };
    // Made for an earlier bot named builder (before this one was created): it must not come back.
    const earlierToken = { ...legacyToken, tokenHash: "t-old", createdAt: T - 5 };
    const earlierInstance = { ...legacyInstance, id: "instance-0", createdAt: T - 5 };
    const state = { format: 1, bots: [legacyBot], joinTokens: [legacyToken, earlierToken], botInstances: [legacyInstance, earlierInstance], replay: [], journals: [] };
    await writeFile(join(directory, EMBEDDED_STORE_FILES.state), JSON.stringify(state));
    const clock = new FixedClock(T);
    const expected = { ...bot, id: legacyBotId(T) };
    for (let open = 0; open < 2; open++) {
      const store = await EmbeddedStore.open({ directory, clock });
      try {
        assert.deepEqual(await store.listBots(), [expected]);
        assert.deepEqual(await store.listJoinTokens(), [{ ...legacyToken, botId: expected.id }]);
        assert.deepEqual(await store.listBotInstances(), [{ ...legacyInstance, botId: expected.id }]);
        assert.equal(await store.getJoinToken("t-old"), undefined);
        assert.equal(await store.getBotInstance("instance-0"), undefined);
      } finally {
        await store.close();
      }
    }
    const saved = JSON.parse(await readFile(join(directory, EMBEDDED_STORE_FILES.state), "utf8")) as { bots: { id?: string }[] };
    assert.equal(saved.bots[0]?.id, expected.id);
  });

  it("keeps every one of many racing writes across a reopen", async () => {
    const directory = freshDirectory();
    const first = await EmbeddedStore.open({ directory });
    const names = Array.from({ length: 25 }, (_, i) => `bot-${String(i).padStart(2, "0")}`);
    await Promise.all([
      ...names.map((name) => first.createBot({ ...bot, name })),
      ...names.map((name, i) => first.appendAudit({ ...event, id: name, time: T + i })),
    ]);
    await first.close();
    const second = await EmbeddedStore.open({ directory });
    try {
      assert.deepEqual((await second.listBots()).map((b) => b.name), names);
      assert.equal((await second.listAudit()).length, names.length);
    } finally {
      await second.close();
    }
  });

  it("creates the directory 0700 and its files 0600", async () => {
    const directory = freshDirectory();
    const store = await EmbeddedStore.open({ directory });
    try {
      await store.createBot(bot);
      await store.appendAudit(event);
      assert.equal((await stat(directory)).mode & 0o777, 0o700);
      for (const name of Object.values(EMBEDDED_STORE_FILES)) {
        assert.equal((await stat(join(directory, name))).mode & 0o777, 0o600, name);
      }
    } finally {
      await store.close();
    }
  });

  it("drops a torn last audit line and appends after it", async () => {
    const directory = freshDirectory();
    const auditPath = join(directory, EMBEDDED_STORE_FILES.audit);
    const first = await EmbeddedStore.open({ directory });
    const older = { ...event, id: "e0", time: T - 2000 };
    await first.appendAudit(older);
    await first.appendAudit(event);
    await first.close();
    const intact = await readFile(auditPath);
    await appendFile(auditPath, '{"id":"torn","type":"jo');

    const second = await EmbeddedStore.open({ directory });
    assert.deepEqual(await second.listAudit(), [event, older]);
    assert.deepEqual(await readFile(auditPath), intact);
    const later = { ...event, id: "e2", time: T };
    await second.appendAudit(later);
    await second.close();

    const third = await EmbeddedStore.open({ directory });
    try {
      assert.deepEqual(await third.listAudit(), [later, event, older]);
    } finally {
      await third.close();
    }
  });

  it("refuses an audit log with a corrupt line before the last", async () => {
    const directory = freshDirectory();
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, EMBEDDED_STORE_FILES.audit), `not json\n${JSON.stringify(event)}\n`);
    await rejectsWithCode(EmbeddedStore.open({ directory }), "ERR_STORE");
  });

  it("survives a temp snapshot left by a crash mid-write, and removes it", async () => {
    const directory = freshDirectory();
    const first = await EmbeddedStore.open({ directory });
    await first.createBot(bot);
    await first.close();
    const leftover = `${EMBEDDED_STORE_FILES.state}.4242.7.tmp`;
    await writeFile(join(directory, leftover), '{"format":1,"bots":[{"name":"half');

    const second = await EmbeddedStore.open({ directory });
    try {
      assert.deepEqual(await second.listBots(), [bot]);
      assert.ok(!(await readdir(directory)).includes(leftover));
    } finally {
      await second.close();
    }
  });

  it("refuses a corrupt snapshot instead of starting empty", async () => {
    const directory = freshDirectory();
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, EMBEDDED_STORE_FILES.state), '{"format":1,"bots":[');
    await rejectsWithCode(EmbeddedStore.open({ directory }), "ERR_STORE");
    await writeFile(join(directory, EMBEDDED_STORE_FILES.state), '{"format":2}');
    await rejectsWithCode(EmbeddedStore.open({ directory }), "ERR_STORE");
    assert.ok(!(await readdir(directory)).includes(EMBEDDED_STORE_FILES.lock), "lock released after a failed open");
  });

  it("refuses a second open of a directory in use, and allows it after close", async () => {
    const directory = freshDirectory();
    const first = await EmbeddedStore.open({ directory });
    await rejectsWithCode(EmbeddedStore.open({ directory }), "ERR_STORE");
    await first.createBot(bot);
    await first.close();
    const second = await EmbeddedStore.open({ directory });
    try {
      assert.deepEqual(await second.listBots(), [bot]);
    } finally {
      await second.close();
    }
  });

  it("takes over a lock left by a process that is gone", async () => {
    const directory = freshDirectory();
    await mkdir(directory, { recursive: true });
    const dead = spawnSync(process.execPath, ["-e", ""]);
    assert.equal(dead.status, 0);
    const lockPath = join(directory, EMBEDDED_STORE_FILES.lock);
    await writeFile(lockPath, `${dead.pid}\n`);
    const store = await EmbeddedStore.open({ directory });
    try {
      assert.equal((await readFile(lockPath, "utf8")).trim(), String(process.pid));
    } finally {
      await store.close();
    }
  });

  it("refuses a lock file that names no process", async () => {
    const directory = freshDirectory();
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, EMBEDDED_STORE_FILES.lock), "");
    await rejectsWithCode(EmbeddedStore.open({ directory }), "ERR_STORE");
  });

  it("prunes expired tokens, replay records and stale instances from the snapshot", async () => {
    const directory = freshDirectory();
    const clock = new FixedClock(T);
    const store = await EmbeddedStore.open({ directory, clock });
    try {
      await store.createJoinToken({ tokenHash: "short-lived", botId: "bot-b", botName: "b", usesRemaining: 1, expiresAt: T + 1000, createdAt: T });
      await store.claimOnce("challenge", "nonce-1", T + 1000, T);
      await store.createBotInstance(instance);
      const statePath = join(directory, EMBEDDED_STORE_FILES.state);
      const before = await readFile(statePath, "utf8");
      for (const text of ["short-lived", "nonce-1", instance.id]) assert.ok(before.includes(text), text);
      clock.set(T + 8 * 24 * 3_600_000);
      await store.createBot(bot);
      const afterPrune = await readFile(statePath, "utf8");
      for (const text of ["short-lived", "nonce-1", instance.id]) assert.ok(!afterPrune.includes(text), text);
    } finally {
      await store.close();
    }
  });

  it("fails closed when the snapshot cannot be saved", async () => {
    const directory = freshDirectory();
    const store = await EmbeddedStore.open({ directory });
    try {
      await store.createBot(bot);
      const statePath = join(directory, EMBEDDED_STORE_FILES.state);
      await rm(statePath);
      await mkdir(join(statePath, "blocker"), { recursive: true });
      await rejectsWithCode(store.createBot({ ...bot, name: "second" }), "ERR_STORE");
      await rejectsWithCode(store.getBot("builder"), "ERR_STORE");
    } finally {
      await store.close();
    }
  });

  it("refuses calls after close, and a second close is harmless", async () => {
    const store = await EmbeddedStore.open({ directory: freshDirectory() });
    await store.close();
    await store.close();
    await rejectsWithCode(store.getBot("builder"), "ERR_STORE");
    await rejectsWithCode(store.createBot(bot), "ERR_STORE");
  });
});
