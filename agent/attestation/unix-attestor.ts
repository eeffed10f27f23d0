import { open, readlink } from "node:fs/promises";
import { join } from "node:path";
import { WorkloadAttestationError } from "./errors.js";
import { hashExecutable } from "./executable-hash.js";
import { lookupName } from "./name-table.js";
import type { PeerCredentials } from "./peer-credentials.js";
import type { ProcessCache } from "./process-cache.js";
import { readEffectiveIds, readStartTime } from "./proc.js";
import type { UnixSelectorKind } from "./selector.js";

/** Options of {@link attestUnix}; the defaults suit an agent running as root on the host. */
export interface AttestUnixOptions {
  /**
   * The selector kinds worth computing (default all): names are looked up only for `user` and
   * `group`, and /proc is read only for `path` and `sha256` (see `selectorKindsOf`).
   */
  kinds?: ReadonlySet<UnixSelectorKind>;
  /** Compute the `unix:sha256:` selector (default true); pass false when no configured selector uses it. */
  sha256?: boolean;
  /** Largest executable to hash, in bytes (default 256 MiB); a bigger one gets no `unix:sha256:`. */
  maxHashBytes?: number;
  /** Where procfs is mounted (default `/proc`; it must show the agent's own pid namespace). */
  procRoot?: string;
  /** The passwd file that names uids (default `/etc/passwd`). */
  passwdPath?: string;
  /** The group file that names gids (default `/etc/group`). */
  groupPath?: string;
  /** Executables of processes inspected before, by pid and start time (`createProcessCache`). */
  processCache?: ProcessCache<Executable | undefined>;
}

/** True when `options` need /proc/<pid> (path or hash selectors), so the peer's start time matters. */
export function readsProcess(options: AttestUnixOptions): boolean {
  return !options.kinds || options.kinds.has("path") || options.kinds.has("sha256");
}

const DEFAULT_MAX_HASH_BYTES = 256 * 1024 * 1024;
// The process is gone (ENOENT, ESRCH) or not ours to inspect (EACCES, EPERM: the agent is neither
// root nor the caller's user): either way only the kernel's credentials can be trusted.
const UNINSPECTABLE = new Set(["ENOENT", "ESRCH", "EACCES", "EPERM"]);

/** What /proc/<pid>/exe showed: the executable's path and, when asked for, its SHA-256. */
export interface Executable {
  path: string;
  sha256: string | undefined;
}

async function inspectExecutable(creds: PeerCredentials, options: AttestUnixOptions): Promise<Executable | undefined> {
  const procDir = join(options.procRoot ?? "/proc", String(creds.pid));
  const exeLink = join(procDir, "exe");
  const startTime = await readStartTime(procDir);
  if (creds.startTime !== undefined && startTime !== creds.startTime) return undefined;
  const path = await readlink(exeLink);
  let sha256: string | undefined;
  if (options.sha256 !== false && (!options.kinds || options.kinds.has("sha256"))) {
    // Opening the link, not the path, hashes what the process runs even if the path was replaced.
    const file = await open(exeLink, "r");
    try {
      sha256 = await hashExecutable(file, options.maxHashBytes ?? DEFAULT_MAX_HASH_BYTES);
    } finally {
      await file.close();
    }
  }
  // Still the same process, running the same file, as the same user, as when we started looking?
  const ids = await readEffectiveIds(procDir);
  if ((await readStartTime(procDir)) !== startTime || (await readlink(exeLink)) !== path) return undefined;
  if (ids.uid !== creds.uid || ids.gid !== creds.gid) return undefined;
  return { path, sha256 };
}

/**
 * The inspection of the caller's process, shared with every connection of the same process: the
 * key holds the start time read at accept, so a reused pid is a new key, and the kernel's uid and
 * gid, so a process that changed its ids is inspected again. Failures and exited processes are
 * not kept.
 */
function cachedInspection(creds: PeerCredentials, options: AttestUnixOptions): Promise<Executable | undefined> {
  const cache = options.processCache;
  if (!cache || creds.startTime === undefined) return inspectExecutable(creds, options);
  const key = `${creds.pid}:${creds.startTime}:${creds.uid}:${creds.gid}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const inspection = inspectExecutable(creds, options);
  cache.set(key, inspection);
  const forget = (): void => cache.delete(key, inspection);
  inspection.then((executable) => {
    if (!executable) forget();
  }, forget);
  return inspection;
}

/**
 * The Unix selectors of a Workload API caller: `unix:uid:`, `unix:gid:`, `unix:user:` and
 * `unix:group:` (when /etc/passwd and /etc/group name them) and `unix:pid:` from the kernel's
 * credentials; `unix:path:` and `unix:sha256:` of the executable from /proc/<pid>/exe.
 *
 * The kernel records the pid when the caller connects; the executable is read later. A caller that
 * has exited (or whose pid now belongs to another process, detected by start time and owner) gets
 * only the credential selectors. As with SPIRE's Unix attestor, a caller that connects and then
 * execs another program, or hands the socket to another process, is attested as whatever the pid
 * runs when we look: path and hash selectors trust the processes of the caller's uid. With a
 * `processCache`, a process is inspected once (its later connections get what the first saw, even
 * after an exec), until it exits or the cache evicts it.
 */
export async function attestUnix(creds: PeerCredentials, options: AttestUnixOptions = {}): Promise<ReadonlySet<string>> {
  const selectors = new Set([`unix:uid:${creds.uid}`, `unix:gid:${creds.gid}`]);
  const { kinds } = options;
  const user = !kinds || kinds.has("user") ? lookupName(options.passwdPath ?? "/etc/passwd", creds.uid) : undefined;
  const group = !kinds || kinds.has("group") ? lookupName(options.groupPath ?? "/etc/group", creds.gid) : undefined;
  if (user !== undefined) selectors.add(`unix:user:${user}`);
  if (group !== undefined) selectors.add(`unix:group:${group}`);
  if (creds.pid <= 0) return selectors;
  selectors.add(`unix:pid:${creds.pid}`);
  if (!readsProcess(options)) return selectors;
  let executable: Executable | undefined;
  try {
    executable = await cachedInspection(creds, options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined || !UNINSPECTABLE.has(code)) {
      throw new WorkloadAttestationError(`attestation: cannot inspect process ${creds.pid}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (executable) {
    selectors.add(`unix:path:${executable.path}`);
    if (executable.sha256 !== undefined) selectors.add(`unix:sha256:${executable.sha256}`);
  }
  return selectors;
}
