import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FixedClock } from "../../clock.js";
import { runStoreConformance } from "../test/conformance.js";
import type { AuditEvent, BotInstance, CaJournal } from "../types.js";
import { AUDIT_PRUNE_BATCH } from "./audit-table.js";
import { EMBEDDED_STORE_FILES, EmbeddedStore } from "./index.js";
import { openSqliteFile, type SqliteDatabase } from "./sqlite-driver.js";

let root = "";
let counter = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "tessera-embedded-store-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Rows per table, read through a second, read-only connection to the store's database. */
function countRows(directory: string, tables = ["join_tokens", "replay", "bot_instances"]): Record<string, number> {
  const Database = createRequire(import.meta.url)("better-sqlite3") as new (path: string, options: { readonly: boolean }) => SqliteDatabase;
  const db = new Database(join(directory, EMBEDDED_STORE_FILES.database), { readonly: true });
  try {
    return Object.fromEntries(tables.map((table) => [table, (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
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
const bot = {
  id: "bot-1",
  name: "builder",
  allowedSpiffeIds: ["spiffe://example.org/builder"],
  joinRules: [],
  maxSvidTtlSeconds: 60,
  createdAt: T,
};

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
      assert.deepEqual(
        (await second.listBots()).map((b) => b.name),
        names,
      );
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
      const names = [
        ...Object.values(EMBEDDED_STORE_FILES),
        `${EMBEDDED_STORE_FILES.database}-wal`,
        `${EMBEDDED_STORE_FILES.database}-shm`,
      ];
      for (const name of names) assert.equal((await stat(join(directory, name))).mode & 0o777, 0o600, name);
    } finally {
      await store.close();
    }
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

  it("prunes expired tokens, replay records and stale instances from the database", async () => {
    const directory = freshDirectory();
    const clock = new FixedClock(T);
    const store = await EmbeddedStore.open({ directory, clock });
    try {
      await store.createJoinToken({
        tokenHash: "short-lived",
        botId: "bot-b",
        botName: "b",
        usesRemaining: 1,
        expiresAt: T + 1000,
        createdAt: T,
      });
      await store.claimOnce("challenge", "nonce-1", T + 1000, T);
      await store.createBotInstance(instance);
      assert.deepEqual(countRows(directory), { join_tokens: 1, replay: 1, bot_instances: 1 });
      clock.set(T + 8 * 24 * 3_600_000);
      await store.createBot(bot);
      assert.deepEqual(countRows(directory), { join_tokens: 0, replay: 0, bot_instances: 0 });
    } finally {
      await store.close();
    }
  });

  it("keeps audit events for the retention only: older ones are not listed and are deleted", async () => {
    const directory = freshDirectory();
    const clock = new FixedClock(T);
    const day = 24 * 3_600_000;
    const store = await EmbeddedStore.open({ directory, clock: new FixedClock(T - 3 * day), auditRetentionDays: 2 });
    await store.appendAudit({ ...event, id: "old", time: T - 3 * day });
    await store.close();
    const reopened = await EmbeddedStore.open({ directory, clock, auditRetentionDays: 2 });
    try {
      const recent = { ...event, id: "recent", time: T - day };
      clock.set(T - day);
      await reopened.appendAudit(recent);
      clock.set(T);
      assert.deepEqual(await reopened.listAudit({ since: 0 }), [recent]);
      assert.equal(
        countRows(directory, ["audit"]).audit,
        2,
        "not deleted yet: the last pruning pass was a day ago, before the event aged out",
      );
      const later = { ...event, id: "later", time: T };
      await reopened.appendAudit(later);
      assert.deepEqual(await reopened.listAudit(), [later, recent]);
      assert.equal(countRows(directory, ["audit"]).audit, 2, "the old event is deleted");
    } finally {
      await reopened.close();
    }
    await assert.rejects(EmbeddedStore.open({ directory, auditRetentionDays: 0 }), TypeError);
  });

  it("deletes a retention backlog one bounded batch per group commit", async () => {
    const directory = freshDirectory();
    const day = 24 * 3_600_000;
    const old = await EmbeddedStore.open({ directory, clock: new FixedClock(T - 2 * day), auditRetentionDays: 1 });
    await Promise.all(
      Array.from({ length: 2 * AUDIT_PRUNE_BATCH + 5 }, (_, i) => old.appendAudit({ ...event, id: `old-${i}`, time: T - 2 * day })),
    );
    await old.close();
    const store = await EmbeddedStore.open({ directory, clock: new FixedClock(T), auditRetentionDays: 1 });
    try {
      await Promise.all([1, 2, 3].map((i) => store.appendAudit({ ...event, id: `new-${i}`, time: T })));
      assert.equal(countRows(directory, ["audit"]).audit, AUDIT_PRUNE_BATCH + 5 + 3, "one batch for the whole group");
      await store.appendAudit({ ...event, id: "new-4", time: T });
      assert.equal(countRows(directory, ["audit"]).audit, 5 + 4, "the backlog is not left for the next interval");
      await store.appendAudit({ ...event, id: "new-5", time: T });
      assert.equal(countRows(directory, ["audit"]).audit, 4 + 1, "the rest of the backlog");
    } finally {
      await store.close();
    }
  });

  it("opens its database in WAL mode with synchronous=NORMAL: the store flushes the log itself before answering (GroupCommit)", () => {
    const directory = join(root, `pragma-${++counter}`);
    mkdirSync(directory, { recursive: true });
    const db = openSqliteFile(join(directory, "probe.db"));
    try {
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      assert.equal(db.pragma("synchronous", { simple: true }), 1);
    } finally {
      db.close();
    }
  });

  it("answers a write only once it is on disk: a process killed right after the answer loses nothing", async () => {
    const directory = freshDirectory();
    const script = [
      `import { EmbeddedStore } from ${JSON.stringify(new URL("./index.ts", import.meta.url).href)};`,
      `const store = await EmbeddedStore.open({ directory: ${JSON.stringify(directory)} });`,
      "await Promise.all(Array.from({ length: 50 }, (_, i) => store.claimOnce('challenge', `c${i}`, 4e12, 1)));",
      "process.kill(process.pid, 'SIGKILL');",
    ].join("\n");
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    assert.equal(child.signal, "SIGKILL", child.stderr);
    const store = await EmbeddedStore.open({ directory });
    try {
      for (let i = 0; i < 50; i++) assert.equal(await store.isClaimed("challenge", `c${i}`, 2), true, `c${i}`);
    } finally {
      await store.close();
    }
  });

  it("refuses calls after close as a shutdown (503, retry), and a second close is harmless", async () => {
    const store = await EmbeddedStore.open({ directory: freshDirectory() });
    await store.close();
    await store.close();
    await rejectsWithCode(store.getBot("builder"), "ERR_SHUTTING_DOWN");
    await rejectsWithCode(store.createBot(bot), "ERR_SHUTTING_DOWN");
  });

  it("at close, completes the calls made before it and refuses every later one, revocations included, without touching the closed database", async () => {
    const store = await EmbeddedStore.open({ directory: freshDirectory() });
    const before = [store.createBot(bot), store.revocations.isKeyRevoked("thumbprint", T)];
    const closing = store.close();
    const during = Promise.allSettled([
      store.getBot("builder"),
      store.revocations.isKeyRevoked("thumbprint", T),
      store.revocations.listCrls(),
    ]);
    assert.deepEqual(await Promise.all(before), [undefined, false]);
    await closing;
    const afterClose = [store.revocations.isKeyRevoked("thumbprint", T), store.revocations.listRevocations(T)];
    for (const result of [...(await during), ...(await Promise.allSettled(afterClose))]) {
      assert.equal(result.status, "rejected");
      const reason = (result as PromiseRejectedResult).reason as { code?: unknown; message?: unknown; cause?: unknown };
      assert.equal(reason.code, "ERR_SHUTTING_DOWN");
      assert.equal(reason.message, "store: closed", "refused, not failed against a closed database");
      assert.equal(reason.cause, undefined);
    }
  });
});
