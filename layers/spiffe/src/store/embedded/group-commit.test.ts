import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BotExistsError } from "../../errors.js";
import { GroupCommit } from "./group-commit.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

/** A database that records the transaction statements run, and fails COMMIT when told to. */
function recordingDatabase(failCommit = false): { db: SqliteDatabase; log: string[] } {
  const log: string[] = [];
  const statement = (sql: string): SqliteStatement => ({
    run: () => {
      log.push(sql);
      if (sql === "COMMIT" && failCommit) throw new Error("disk I/O error");
      return { changes: 0 };
    },
    get: () => undefined,
    all: () => [],
  });
  const db: SqliteDatabase = { prepare: statement, exec: () => undefined, pragma: () => undefined, close: () => undefined };
  return { db, log };
}

describe("GroupCommit", () => {
  it("runs the calls of one event-loop turn in one transaction, and answers none before its commit", async () => {
    const { db, log } = recordingDatabase();
    const commit = new GroupCommit(db);
    const answeredAt: number[] = [];
    const calls = Array.from({ length: 10 }, (_, i) =>
      commit
        .run(() => {
          log.push(`task ${i}`);
          return i;
        })
        .then((value) => {
          answeredAt.push(log.length);
          return value;
        }),
    );
    assert.deepEqual(await Promise.all(calls), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(log.filter((sql) => sql === "BEGIN IMMEDIATE").length, 1);
    const committedAt = log.indexOf("COMMIT") + 1;
    assert.ok(committedAt > 0);
    assert.ok(
      answeredAt.every((at) => at >= committedAt),
      "every call answered after the commit",
    );
    await commit.run(() => undefined);
    assert.equal(log.filter((sql) => sql === "COMMIT").length, 2, "a later turn is a new transaction");
  });

  it("undoes only the call that throws, with its own error", async () => {
    const { db, log } = recordingDatabase();
    const commit = new GroupCommit(db);
    const results = await Promise.allSettled([
      commit.run(() => 1),
      commit.run(() => {
        throw new BotExistsError("store: taken");
      }),
      commit.run(() => 3),
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
    const commit = new GroupCommit(db);
    const results = await Promise.allSettled([commit.run(() => "a"), commit.run(() => "b")]);
    for (const result of results) {
      assert.equal(result.status, "rejected");
      assert.equal((result as PromiseRejectedResult).reason.code, "ERR_STORE");
    }
    assert.equal(log.at(-1), "ROLLBACK");
  });

  it("drain commits the calls made before it, then refuses every call as a shutdown and never begins another transaction", async () => {
    const { db, log } = recordingDatabase();
    const commit = new GroupCommit(db);
    const accepted = commit.run(() => "accepted");
    const drained = commit.drain();
    await assert.rejects(
      commit.run(() => "late"),
      { code: "ERR_SHUTTING_DOWN", message: "store: closed" },
    );
    assert.equal(await accepted, "accepted");
    await drained;
    await assert.rejects(
      commit.run(() => "later"),
      { code: "ERR_SHUTTING_DOWN", message: "store: closed" },
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      log.filter((sql) => sql === "BEGIN IMMEDIATE" || sql === "COMMIT"),
      ["BEGIN IMMEDIATE", "COMMIT"],
    );
    assert.equal(commit.drain(), drained, "a second drain is the same");
  });
});
