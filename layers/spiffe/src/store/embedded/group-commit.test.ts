import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BotExistsError } from "../../errors.js";
import { GroupCommit } from "./group-commit.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

/**
 * A database that records the transaction statements run, counts the rows `write` changes (its
 * `total_changes()`), and fails COMMIT when told to.
 */
function recordingDatabase(failCommit = false): { db: SqliteDatabase; log: string[]; write: (what: string) => void } {
  const log: string[] = [];
  let changes = 0;
  const statement = (sql: string): SqliteStatement => ({
    run: () => {
      log.push(sql);
      if (sql === "COMMIT" && failCommit) throw new Error("disk I/O error");
      return { changes: 0 };
    },
    get: () => (sql.includes("total_changes()") ? { changes } : undefined),
    all: () => [],
  });
  const db: SqliteDatabase = { prepare: statement, exec: () => undefined, pragma: () => undefined, close: () => undefined };
  const write = (what: string): void => {
    log.push(what);
    changes++;
  };
  return { db, log, write };
}

/** A flush to disk that completes only when the test says so; each start and end is logged. */
function heldFlushes(log: string[]): { sync: () => Promise<void>; finish: (err?: Error) => void; started: () => number } {
  const held: { resolve: () => void; reject: (err: Error) => void }[] = [];
  let count = 0;
  return {
    sync: () =>
      new Promise<void>((resolve, reject) => {
        log.push(`flush ${++count}`);
        held.push({ resolve, reject });
      }),
    finish: (err) => {
      const flush = held.shift();
      assert.ok(flush, "a flush is running");
      log.push(err === undefined ? "flushed" : "flush failed");
      if (err === undefined) flush.resolve();
      else flush.reject(err);
    },
    started: () => count,
  };
}

/** A flush to disk that completes on the next turn of the event loop. */
function quickFlushes(log: string[]): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) =>
      setImmediate(() => {
        log.push("flushed");
        resolve();
      }),
    );
}

/** Two turns of the event loop: a group commits in the first, the flush it needs begins in the second. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

describe("GroupCommit", () => {
  it("runs the calls of one event-loop turn in one transaction, and answers none before its commit is flushed to disk", async () => {
    const { db, log, write } = recordingDatabase();
    const commit = new GroupCommit(db, quickFlushes(log));
    const answeredAt: number[] = [];
    const calls = Array.from({ length: 10 }, (_, i) =>
      commit
        .run(() => {
          write(`task ${i}`);
          return i;
        })
        .then((value) => {
          answeredAt.push(log.length);
          return value;
        }),
    );
    assert.deepEqual(await Promise.all(calls), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(log.filter((sql) => sql === "BEGIN IMMEDIATE").length, 1);
    const flushedAt = log.indexOf("flushed") + 1;
    assert.ok(flushedAt > log.indexOf("COMMIT") + 1, "the flush follows the commit");
    assert.ok(
      answeredAt.every((at) => at >= flushedAt),
      "every call answered after the flush",
    );
    await commit.run(() => write("later"));
    assert.equal(log.filter((sql) => sql === "COMMIT").length, 2, "a later turn is a new transaction");
    assert.equal(log.filter((sql) => sql === "flushed").length, 2, "and its own flush");
  });

  it("answers a group only once a flush that began after its commit has ended; one flush covers every commit before it began", async () => {
    const { db, log, write } = recordingDatabase();
    const flushes = heldFlushes(log);
    const commit = new GroupCommit(db, flushes.sync);
    const answered: string[] = [];
    const call = (name: string, work: () => void) => commit.run(work).then(() => answered.push(name));
    const first = call("first", () => write("first"));
    await turn();
    assert.equal(flushes.started(), 1);
    const second = call("second", () => write("second"));
    await turn();
    const third = call("third", () => write("third"));
    const reader = call("reader", () => undefined);
    await turn();
    assert.deepEqual(answered, [], "nothing answered while the first flush runs");
    assert.equal(flushes.started(), 1, "one flush at a time");
    flushes.finish();
    await first;
    assert.deepEqual(answered, ["first"], "the second and third commits came after the first flush began");
    assert.equal(flushes.started(), 2, "the next flush starts at once");
    flushes.finish();
    await Promise.all([second, third, reader]);
    assert.deepEqual(answered, ["first", "second", "third", "reader"], "in order; the reader saw unflushed commits, so it waited too");
    assert.equal(flushes.started(), 2, "one flush for both later commits");
    await commit.run(() => undefined);
    assert.equal(flushes.started(), 2, "a call that changes nothing, with everything flushed, needs no flush");
  });

  it("answers a call on the records without waiting for audit events still being flushed, and a call on the audit log after them", async () => {
    const { db, log, write } = recordingDatabase();
    const flushes = heldFlushes(log);
    const commit = new GroupCommit(db, flushes.sync);
    const answered: string[] = [];
    const appended = commit.run(() => write("audit event"), "audit").then(() => answered.push("append"));
    await turn();
    const records = commit.run(() => "bot").then(() => answered.push("records read"));
    const audit = commit.run(() => "events", "audit").then(() => answered.push("audit read"));
    await records;
    assert.deepEqual(answered, ["records read"], "the records read could not have seen the event");
    flushes.finish();
    await Promise.all([appended, audit]);
    assert.deepEqual(answered, ["records read", "append", "audit read"]);
    const changed = commit.run(() => write("record"));
    await turn();
    const after = commit.run(() => "bot").then(() => answered.push("records read after a record change"));
    await turn();
    assert.equal(answered.length, 3, "a records read waits for an unflushed record change");
    flushes.finish();
    await Promise.all([changed, after]);
  });

  it("runs the audit calls made while a flush runs as one group when it ends, covered by the next flush", async () => {
    const { db, log, write } = recordingDatabase();
    const flushes = heldFlushes(log);
    const commit = new GroupCommit(db, flushes.sync);
    const answered: string[] = [];
    const append = (name: string) => commit.run(() => write(name), "audit").then(() => answered.push(name));
    const first = append("first event");
    await turn();
    assert.equal(flushes.started(), 1);
    const later = [append("second event"), append("third event")];
    await turn();
    await turn();
    assert.ok(!log.includes("second event"), "nothing runs for the audit log while a flush runs");
    flushes.finish();
    await first;
    const afterFirstFlush = log.slice(log.indexOf("flushed"));
    assert.deepEqual(
      afterFirstFlush.filter((entry) => !entry.includes("task") && !entry.includes("total_changes")),
      ["flushed", "BEGIN IMMEDIATE", "second event", "third event", "COMMIT", "flush 2"],
      "one transaction, committed before the next flush began",
    );
    assert.deepEqual(answered, ["first event"], "the later events wait for the flush that covers them");
    flushes.finish();
    await Promise.all(later);
    assert.deepEqual(answered, ["first event", "second event", "third event"]);
  });

  it("begins a flush that no other precedes one turn after the commit that needs it, with the audit calls of that turn committed into it", async () => {
    const { db, log, write } = recordingDatabase();
    const flushes = heldFlushes(log);
    const commit = new GroupCommit(db, flushes.sync);
    const oneTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    const answered: string[] = [];
    const append = (name: string) => commit.run(() => write(name), "audit").then(() => answered.push(name));
    const first = append("first event");
    await oneTurn();
    assert.ok(log.includes("first event"), "committed");
    assert.equal(flushes.started(), 0, "its flush waits one turn");
    const second = append("second event");
    await oneTurn();
    assert.deepEqual(
      log.filter((entry) => !entry.includes("task")),
      ["BEGIN IMMEDIATE", "first event", "COMMIT", "BEGIN IMMEDIATE", "second event", "COMMIT", "flush 1"],
      "the event of the next turn is committed before the flush begins",
    );
    flushes.finish();
    await Promise.all([first, second]);
    assert.deepEqual(answered, ["first event", "second event"], "one flush answers both");
    assert.equal(flushes.started(), 1);
  });

  it("rejects, without running them, the audit calls waiting for a flush that fails", async () => {
    const { db, log, write } = recordingDatabase();
    const flushes = heldFlushes(log);
    const commit = new GroupCommit(db, flushes.sync);
    const first = commit.run(() => write("first event"), "audit");
    await turn();
    const later = commit.run(() => write("later event"), "audit");
    flushes.finish(new Error("EIO"));
    await assert.rejects(first, { code: "ERR_STORE" });
    await assert.rejects(later, { code: "ERR_STORE", message: "store: could not flush the database to disk" });
    assert.ok(!log.includes("later event"));
  });

  it("undoes only the call that throws, with its own error", async () => {
    const { db, log, write } = recordingDatabase();
    const commit = new GroupCommit(db, quickFlushes(log));
    const results = await Promise.allSettled([
      commit.run(() => write("one")),
      commit.run(() => {
        throw new BotExistsError("store: taken");
      }),
      commit.run(() => write("three")),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
    assert.equal((results[1] as PromiseRejectedResult).reason.code, "ERR_BOT_EXISTS");
    assert.deepEqual(
      log.filter((sql) => sql.startsWith("ROLLBACK")),
      ["ROLLBACK TO task"],
    );
  });

  it("rejects every call of a group whose commit fails: nothing is answered as done that may not be on disk", async () => {
    const { db, log } = recordingDatabase(true);
    const commit = new GroupCommit(db, quickFlushes(log));
    const results = await Promise.allSettled([commit.run(() => "a"), commit.run(() => "b")]);
    for (const result of results) {
      assert.equal(result.status, "rejected");
      assert.equal((result as PromiseRejectedResult).reason.code, "ERR_STORE");
    }
    assert.equal(log.at(-1), "ROLLBACK");
  });

  it("rejects the calls waiting on a flush that fails, and every later call: their commits may not be on disk", async () => {
    const { db, log, write } = recordingDatabase();
    const flushes = heldFlushes(log);
    const commit = new GroupCommit(db, flushes.sync);
    const waiting = commit.run(() => write("joined"));
    await turn();
    flushes.finish(new Error("EIO"));
    await assert.rejects(waiting, { code: "ERR_STORE", message: "store: could not flush the database to disk" });
    await assert.rejects(
      commit.run(() => "later"),
      { code: "ERR_STORE" },
    );
  });

  it("drain commits and flushes the calls made before it, then refuses every call and never begins another transaction", async () => {
    const { db, log, write } = recordingDatabase();
    const commit = new GroupCommit(db, quickFlushes(log));
    const accepted = commit.run(() => {
      write("accepted");
      return "accepted";
    });
    const drained = commit.drain();
    await assert.rejects(
      commit.run(() => "late"),
      { code: "ERR_SHUTTING_DOWN", message: "store: closed" },
    );
    assert.equal(await accepted, "accepted");
    await drained;
    assert.ok(log.includes("flushed"), "drained only after the flush");
    await assert.rejects(
      commit.run(() => "later"),
      { code: "ERR_SHUTTING_DOWN", message: "store: closed" },
    );
    await turn();
    assert.deepEqual(
      log.filter((sql) => sql === "BEGIN IMMEDIATE" || sql === "COMMIT"),
      ["BEGIN IMMEDIATE", "COMMIT"],
    );
    assert.equal(commit.drain(), drained, "a second drain is the same");
  });

  it("queues a read behind the calls made before it, and behind an unflushed change it may read, without a savepoint", async () => {
    const { db, log, write } = recordingDatabase();
    const flushes = heldFlushes(log);
    const commit = new GroupCommit(db, flushes.sync);
    const seen: string[] = [];
    const changed = commit.run(() => write("record"));
    const read = commit.read(() => seen.push("read after the change"));
    assert.deepEqual(seen, [], "not run ahead of the call before it");
    await turn();
    assert.deepEqual(seen, ["read after the change"]);
    const task = log.indexOf("record");
    assert.deepEqual(log.slice(task + 1, log.indexOf("COMMIT")), ["RELEASE task"], "the read took no savepoint");
    const before = log.length;
    const later = commit.read(() => "bot");
    await turn();
    assert.deepEqual(
      log.slice(before).filter((entry) => !entry.startsWith("flush")),
      [],
      "a group of reads alone opens no transaction and takes no savepoint",
    );
    let answered = false;
    void later.then(() => (answered = true));
    await turn();
    assert.equal(answered, false, "a records read waits while a record change is unflushed");
    flushes.finish();
    await Promise.all([changed, read, later]);
    await commit.drain();
    await assert.rejects(
      commit.read(() => "late"),
      { code: "ERR_SHUTTING_DOWN" },
    );
  });

  it("drain waits for a flush still running for calls already committed", async () => {
    const { db, log, write } = recordingDatabase();
    const flushes = heldFlushes(log);
    const commit = new GroupCommit(db, flushes.sync);
    const accepted = commit.run(() => write("accepted"));
    await turn();
    let drained = false;
    const draining = commit.drain().then(() => (drained = true));
    await turn();
    assert.equal(drained, false, "the commit is not on disk yet");
    flushes.finish();
    await accepted;
    await draining;
  });
});
