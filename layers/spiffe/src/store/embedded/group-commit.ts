import { ShuttingDownError, StoreError, TesseraError } from "../../errors.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

interface Task {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What a failed task rejects with: Tessera's own errors and caller misuse as they are, anything else a `StoreError`. */
function taskError(err: unknown): unknown {
  if (err instanceof TesseraError || err instanceof TypeError) return err;
  return new StoreError("store: the database refused a change", { cause: err });
}

/**
 * Runs the store's calls in order, grouping every call made in one turn of the event loop into one
 * transaction: each call in its own savepoint (a call that throws undoes only its own changes),
 * then one commit, which under `synchronous=FULL` returns once the transaction is on disk. Only
 * then is any call of the group answered, so no caller ever sees a change that a crash could undo.
 */
export class GroupCommit {
  readonly #begin: SqliteStatement;
  readonly #commit: SqliteStatement;
  readonly #rollback: SqliteStatement;
  readonly #savepoint: SqliteStatement;
  readonly #undoTask: SqliteStatement;
  readonly #release: SqliteStatement;
  #pending: Task[] = [];
  #drained: Promise<void> | undefined;

  constructor(db: SqliteDatabase) {
    this.#begin = db.prepare("BEGIN IMMEDIATE");
    this.#commit = db.prepare("COMMIT");
    this.#rollback = db.prepare("ROLLBACK");
    this.#savepoint = db.prepare("SAVEPOINT task");
    this.#undoTask = db.prepare("ROLLBACK TO task");
    this.#release = db.prepare("RELEASE task");
  }

  /**
   * Run `work` (synchronous, reading and writing the database) in the next group; settles after its
   * commit. `ShuttingDownError` "store: closed" (503, retry) once `drain` has been called.
   */
  run<T>(work: () => T): Promise<T> {
    if (this.#drained !== undefined) return Promise.reject(new ShuttingDownError("store: closed"));
    return new Promise<T>((resolve, reject) => {
      if (this.#pending.length === 0) setImmediate(() => this.#flush());
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /**
   * Refuse every later `run`; resolves once every call accepted before has been committed and
   * answered, after which no group runs again, so the database may be closed. Idempotent.
   */
  drain(): Promise<void> {
    if (this.#drained === undefined) {
      const last = this.#pending.length === 0 ? Promise.resolve() : this.run(() => undefined);
      this.#drained = last.then(
        () => undefined,
        () => undefined,
      );
    }
    return this.#drained;
  }

  #flush(): void {
    const group = this.#pending;
    this.#pending = [];
    let outcomes: Outcome[];
    try {
      this.#begin.run();
      outcomes = group.map((task) => this.#runTask(task));
      this.#commit.run();
    } catch (err) {
      this.#abandon();
      const failure = new StoreError("store: could not commit to the database", { cause: err });
      for (const task of group) task.reject(failure);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const task = group[index] as Task;
      if (outcome.ok) task.resolve(outcome.value);
      else task.reject(outcome.error);
    });
  }

  #runTask(task: Task): Outcome {
    this.#savepoint.run();
    try {
      const value = task.work();
      this.#release.run();
      return { ok: true, value };
    } catch (err) {
      this.#undoTask.run();
      this.#release.run();
      return { ok: false, error: taskError(err) };
    }
  }

  #abandon(): void {
    try {
      this.#rollback.run();
    } catch {
      // No transaction was open (BEGIN failed) or SQLite rolled it back itself.
    }
  }
}
