import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

// SHA-256 of executables, cached by inode identity and change times so that a thousand connections
// from one binary hash it once. In-flight hashes are shared; failures are not cached. A same-size
// rewrite within one filesystem timestamp tick would go unnoticed, but Linux refuses writes to a
// running executable (ETXTBSY).

const MAX_ENTRIES = 256;
const CHUNK = 1 << 20;
const cache = new Map<string, Promise<string>>();

async function digest(file: FileHandle, size: number): Promise<string> {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (let position = 0; position < size;) {
    const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK, size - position), position);
    if (bytesRead === 0) throw new Error("executable shrank while being hashed");
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest("hex");
}

/**
 * Lowercase hex SHA-256 of the open `file`, or `undefined` when it is larger than `maxBytes`.
 * The file is identified by device, inode, size, mtime and ctime, so a rewrite is noticed.
 */
export async function hashExecutable(file: FileHandle, maxBytes: number): Promise<string | undefined> {
  const s = await file.stat({ bigint: true });
  if (s.size > BigInt(maxBytes)) return undefined;
  const key = `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  let pending = cache.get(key);
  if (pending) {
    cache.delete(key);
  } else {
    pending = digest(file, Number(s.size));
    pending.catch(() => cache.delete(key));
  }
  cache.set(key, pending);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return pending;
}
