import { StoreConflictError } from "../../errors.js";
import { copyRecord } from "../record-rules.js";
import { assertRevocation, assertStoredCrl, revocationKey } from "../revocation-rules.js";
import type { Revocation, RevocationStore, StoredCrl } from "../types.js";
import { RecordTable } from "./record-table.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

/** Runs one synchronous piece of work in the store's transactions (`GroupCommit.run`). */
export type RunInTransaction = <T>(work: () => T) => Promise<T>;

/** How the revocations run their calls: `run` for changes, `read` for work that only reads (`GroupCommit`). */
export interface RevocationCalls {
  run: RunInTransaction;
  read: RunInTransaction;
}

/** The embedded store's revocations (kept until the SVID expires) and the last CRL of each CA. */
export class RevocationTable implements RevocationStore {
  readonly #run: RunInTransaction;
  readonly #read: RunInTransaction;
  readonly #crls: RecordTable<StoredCrl>;
  readonly #expiry: SqliteStatement;
  readonly #put: SqliteStatement;
  readonly #prune: SqliteStatement;
  readonly #listLive: SqliteStatement;
  readonly #keyRevoked: SqliteStatement;

  constructor(db: SqliteDatabase, { run, read }: RevocationCalls) {
    this.#run = run;
    this.#read = read;
    this.#crls = new RecordTable<StoredCrl>(db, "crls", () => ({}));
    this.#expiry = db.prepare("SELECT expires_at AS expiresAt FROM revocations WHERE key = ?");
    this.#put = db.prepare("INSERT OR REPLACE INTO revocations (key, key_thumbprint, expires_at, record) VALUES (?, ?, ?, ?)");
    this.#prune = db.prepare("DELETE FROM revocations WHERE expires_at <= ?");
    this.#listLive = db.prepare("SELECT record FROM revocations WHERE expires_at > ? ORDER BY key");
    this.#keyRevoked = db.prepare("SELECT 1 FROM revocations WHERE key_thumbprint = ? AND expires_at > ? LIMIT 1");
  }

  /** Store one revocation as it is (the legacy import; `addRevocations` decides what to keep). */
  put(revocation: Revocation): void {
    this.#put.run(revocationKey(revocation), revocation.keyThumbprint ?? null, revocation.expiresAt, JSON.stringify(revocation));
  }

  /** Store one CRL as it is (the legacy import; `putCrl` checks its number). */
  putCrlRecord(crl: StoredCrl): void {
    this.#crls.put(crl.caId, crl);
  }

  /** Record revocations (an unexpired one recorded already is kept); expired ones are dropped on the way. */
  async addRevocations(revocations: Revocation[]): Promise<Revocation[]> {
    revocations.forEach(assertRevocation);
    return this.#run(() => {
      const added: Revocation[] = [];
      for (const revocation of revocations) {
        const stored = this.#expiry.get(revocationKey(revocation)) as { expiresAt: number } | undefined;
        if (stored !== undefined && stored.expiresAt > revocation.revokedAt) continue;
        this.put(revocation);
        added.push(copyRecord(revocation));
      }
      if (revocations.length > 0) this.#prune.run(Math.min(...revocations.map((r) => r.revokedAt)));
      return added;
    });
  }

  /** Unexpired revocations. */
  listRevocations(now: number): Promise<Revocation[]> {
    return this.#read(() => (this.#listLive.all(now) as { record: string }[]).map((row) => JSON.parse(row.record) as Revocation));
  }

  /** Whether an unexpired X.509 revocation names the key. */
  isKeyRevoked(keyThumbprint: string, now: number): Promise<boolean> {
    return this.#read(() => this.#keyRevoked.get(keyThumbprint, now) !== undefined);
  }

  /** Store the CRL if its number is above the stored one's. */
  async putCrl(crl: StoredCrl): Promise<void> {
    assertStoredCrl(crl);
    return this.#run(() => {
      const stored = this.#crls.get(crl.caId);
      if (stored !== undefined && stored.crlNumber >= crl.crlNumber) {
        throw new StoreConflictError(`store: CRL ${stored.crlNumber} of CA ${crl.caId} is stored already`);
      }
      this.#crls.put(crl.caId, crl);
    });
  }

  /** The last CRL of each CA. */
  listCrls(): Promise<StoredCrl[]> {
    return this.#run(() => this.#crls.list());
  }
}
