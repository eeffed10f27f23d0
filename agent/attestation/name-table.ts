import { readFileSync, statSync } from "node:fs";

// Names for numeric ids from /etc/passwd and /etc/group (name:password:id:...), re-read only when
// the file changes (one stat per lookup). Like getpwuid, the first line with an id wins. Read
// synchronously: these are small local files, and a thread-pool round trip per connection cost more.

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
export function lookupName(path: string, id: number): string | undefined {
  let table = tables.get(path);
  try {
    const s = statSync(path, { bigint: true });
    const version = `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    if (table?.version !== version) {
      table = { version, names: parseNameTable(readFileSync(path, "utf8")) };
      tables.set(path, table);
    }
  } catch {
    return undefined;
  }
  return table.names.get(id);
}
