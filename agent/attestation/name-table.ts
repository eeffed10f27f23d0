import { readFile, stat } from "node:fs/promises";

// Names for numeric ids from /etc/passwd and /etc/group (name:password:id:...), re-read only when
// the file changes. Like getpwuid, the first line with an id wins.

interface CachedTable {
  version: string;
  names: ReadonlyMap<number, string>;
}

const tables = new Map<string, CachedTable>();

/** Parse passwd/group text into id -> name (first occurrence wins; malformed lines skipped). */
export function parseNameTable(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split("\n")) {
    const [name, , id] = line.split(":");
    if (!name || id === undefined || !/^\d+$/.test(id) || line.startsWith("#")) continue;
    const n = Number(id);
    if (!names.has(n)) names.set(n, name);
  }
  return names;
}

/** The name of `id` in the passwd- or group-format file at `path`, if any. */
export async function lookupName(path: string, id: number): Promise<string | undefined> {
  let version: string;
  try {
    const s = await stat(path, { bigint: true });
    version = `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
  let table = tables.get(path);
  if (table?.version !== version) {
    table = { version, names: parseNameTable(await readFile(path, "utf8")) };
    tables.set(path, table);
  }
  return table.names.get(id);
}
