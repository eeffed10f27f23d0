import { access, rename } from "node:fs/promises";
import { join } from "node:path";
import { StoreError } from "../../errors.js";
import type { Revocation, StoredCrl } from "../types.js";
import { readLegacyAuditLog } from "./audit-log.js";
import { readSnapshot, removeTempSnapshots } from "./snapshot-file.js";
import { parseSnapshot, type Snapshot } from "./snapshot.js";
import type { SqliteDatabase } from "./sqlite-driver.js";
import type { StoreTables } from "./store-tables.js";

/** The files of a data directory written before the embedded store kept its state in SQLite. */
export const LEGACY_FILES = Object.freeze({ state: "state.json", audit: "audit.jsonl", revocations: "revocations.json" });

/** What an imported legacy file is renamed to: its name with this suffix. */
export const IMPORTED_SUFFIX = ".imported";

const IMPORTED_MARK = "legacy_files_imported";

interface LegacyRevocations {
  revocations: Revocation[];
  crls: StoredCrl[];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function parseLegacyRevocations(value: unknown): LegacyRevocations {
  if (value === undefined) return { revocations: [], crls: [] };
  const snapshot = value as Partial<LegacyRevocations & { format: number }> | null;
  if (
    snapshot === null ||
    typeof snapshot !== "object" ||
    snapshot.format !== 1 ||
    !Array.isArray(snapshot.revocations) ||
    !Array.isArray(snapshot.crls)
  ) {
    throw new StoreError(`store: ${LEGACY_FILES.revocations} has an unknown format`);
  }
  return { revocations: snapshot.revocations, crls: snapshot.crls };
}

function writeAll(
  tables: StoreTables,
  snapshot: Snapshot,
  legacy: LegacyRevocations,
  audit: Awaited<ReturnType<typeof readLegacyAuditLog>>,
): void {
  for (const bot of snapshot.bots) tables.bots.put(bot.name, bot);
  for (const token of snapshot.joinTokens) tables.tokens.put(token.tokenHash, token);
  for (const instance of snapshot.botInstances) tables.instances.put(instance.id, instance);
  for (const journal of snapshot.journals) tables.journals.put(journal.kind, journal);
  for (const { namespace, key, expiresAt } of snapshot.replay) tables.replay.record(namespace, key, expiresAt);
  for (const event of audit) tables.audit.append(event);
  for (const revocation of legacy.revocations) tables.revocations.put(revocation);
  for (const crl of legacy.crls) tables.revocations.putCrlRecord(crl);
}

/**
 * Import a data directory written by the embedded store before SQLite: `state.json` (legacy
 * records bound to their bots on the way), `audit.jsonl` and `revocations.json` go into the
 * database in one transaction, which also marks the import done; once `sync` has put it on disk,
 * each file is renamed with `IMPORTED_SUFFIX` (kept, never deleted). A crash before the renames
 * only repeats them.
 */
export async function importLegacyFiles(
  directory: string,
  db: SqliteDatabase,
  tables: StoreTables,
  sync: () => Promise<void>,
): Promise<void> {
  const present: string[] = [];
  for (const name of Object.values(LEGACY_FILES)) if (await exists(join(directory, name))) present.push(name);
  if (present.length === 0) return;
  if (db.prepare("SELECT 1 FROM meta WHERE name = ?").get(IMPORTED_MARK) === undefined) {
    await removeTempSnapshots(directory, LEGACY_FILES.state);
    await removeTempSnapshots(directory, LEGACY_FILES.revocations);
    const { snapshot } = parseSnapshot(await readSnapshot(directory, LEGACY_FILES.state), LEGACY_FILES.state);
    const revocations = parseLegacyRevocations(await readSnapshot(directory, LEGACY_FILES.revocations));
    const audit = await readLegacyAuditLog(join(directory, LEGACY_FILES.audit));
    db.exec("BEGIN IMMEDIATE");
    try {
      writeAll(tables, snapshot, revocations, audit);
      db.prepare("INSERT INTO meta (name, value) VALUES (?, ?)").run(IMPORTED_MARK, present.join(","));
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
    await sync();
  }
  for (const name of present) await rename(join(directory, name), join(directory, `${name}${IMPORTED_SUFFIX}`));
}
