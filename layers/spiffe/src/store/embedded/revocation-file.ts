import { StoreConflictError, StoreError, TesseraError } from "../../errors.js";
import { copyRecord } from "../record-rules.js";
import { assertRevocation, assertStoredCrl, revocationKey } from "../revocation-rules.js";
import type { Revocation, RevocationStore, StoredCrl } from "../types.js";
import { readSnapshot, removeTempSnapshots, writeSnapshot } from "./snapshot-file.js";

/** File name of the revocations inside the data directory. */
export const REVOCATIONS_FILE = "revocations.json";

interface RevocationSnapshot {
  format: 1;
  revocations: Revocation[];
  crls: StoredCrl[];
}

function parseRevocationSnapshot(value: unknown): RevocationSnapshot {
  if (value === undefined) return { format: 1, revocations: [], crls: [] };
  const snapshot = value as Partial<RevocationSnapshot> | null;
  if (snapshot === null || typeof snapshot !== "object" || snapshot.format !== 1 || !Array.isArray(snapshot.revocations) || !Array.isArray(snapshot.crls)) {
    throw new StoreError(`store: ${REVOCATIONS_FILE} has an unknown format`);
  }
  return snapshot as RevocationSnapshot;
}

/**
 * The embedded store's revocations and CRLs: one JSON file in the data directory (whose lock the
 * embedded store holds), rewritten atomically after every change, each call queued in order.
 */
export class RevocationFile implements RevocationStore {
  readonly #directory: string;
  readonly #revocations = new Map<string, Revocation>();
  readonly #crls = new Map<string, StoredCrl>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(directory: string, snapshot: RevocationSnapshot) {
    this.#directory = directory;
    for (const revocation of snapshot.revocations) this.#revocations.set(revocationKey(revocation), revocation);
    for (const crl of snapshot.crls) this.#crls.set(crl.caId, crl);
  }

  /** Read the revocations of the data directory `directory` (none when the file is missing). */
  static async open(directory: string): Promise<RevocationFile> {
    try {
      await removeTempSnapshots(directory, REVOCATIONS_FILE);
      return new RevocationFile(directory, parseRevocationSnapshot(await readSnapshot(directory, REVOCATIONS_FILE)));
    } catch (err) {
      if (err instanceof TesseraError) throw err;
      throw new StoreError(`store: cannot read ${REVOCATIONS_FILE}`, { cause: err });
    }
  }

  #run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #save(): Promise<void> {
    const snapshot: RevocationSnapshot = { format: 1, revocations: [...this.#revocations.values()], crls: [...this.#crls.values()] };
    try {
      await writeSnapshot(this.#directory, REVOCATIONS_FILE, snapshot);
    } catch (err) {
      throw new StoreError(`store: could not save ${REVOCATIONS_FILE}`, { cause: err });
    }
  }

  /** Record revocations (an unexpired one recorded already is kept); expired ones are dropped on the way. */
  async addRevocations(revocations: Revocation[]): Promise<Revocation[]> {
    revocations.forEach(assertRevocation);
    return this.#run(async () => {
      const added: Revocation[] = [];
      for (const revocation of revocations) {
        const stored = this.#revocations.get(revocationKey(revocation));
        if (stored !== undefined && stored.expiresAt > revocation.revokedAt) continue;
        this.#revocations.set(revocationKey(revocation), copyRecord(revocation));
        added.push(copyRecord(revocation));
      }
      const now = Math.min(...revocations.map((r) => r.revokedAt));
      for (const [key, stored] of this.#revocations) if (stored.expiresAt <= now) this.#revocations.delete(key);
      if (added.length > 0) await this.#save();
      return added;
    });
  }

  /** Unexpired revocations. */
  listRevocations(now: number): Promise<Revocation[]> {
    return this.#run(() => [...this.#revocations.values()].filter((r) => r.expiresAt > now).map((r) => copyRecord(r)));
  }

  /** Whether an unexpired X.509 revocation names the key. */
  isKeyRevoked(keyThumbprint: string, now: number): Promise<boolean> {
    return this.#run(() => [...this.#revocations.values()].some((r) => r.keyThumbprint === keyThumbprint && r.expiresAt > now));
  }

  /** Store the CRL if its number is above the stored one's. */
  async putCrl(crl: StoredCrl): Promise<void> {
    assertStoredCrl(crl);
    return this.#run(async () => {
      const stored = this.#crls.get(crl.caId);
      if (stored !== undefined && stored.crlNumber >= crl.crlNumber) {
        throw new StoreConflictError(`store: CRL ${stored.crlNumber} of CA ${crl.caId} is stored already`);
      }
      this.#crls.set(crl.caId, copyRecord(crl));
      await this.#save();
    });
  }

  /** The last CRL of each CA. */
  listCrls(): Promise<StoredCrl[]> {
    return this.#run(() => [...this.#crls.values()].map((crl) => copyRecord(crl)));
  }
}
