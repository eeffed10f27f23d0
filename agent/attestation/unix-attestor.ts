import { open, readlink } from "node:fs/promises";
import { join } from "node:path";
import { WorkloadAttestationError } from "./errors.js";
import { hashExecutable } from "./executable-hash.js";
import { lookupName } from "./name-table.js";
import type { PeerCredentials } from "./peer-credentials.js";
import { readEffectiveIds, readStartTime } from "./proc.js";

/** Options of {@link attestUnix}; the defaults suit an agent running as root on the host. */
export interface AttestUnixOptions {
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
}

const DEFAULT_MAX_HASH_BYTES = 256 * 1024 * 1024;
// The process is gone (ENOENT, ESRCH) or not ours to inspect (EACCES, EPERM: the agent is neither
// root nor the caller's user): either way only the kernel's credentials can be trusted.
const UNINSPECTABLE = new Set(["ENOENT", "ESRCH", "EACCES", "EPERM"]);

interface Executable {
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
  if (options.sha256 !== false) {
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
 * The Unix selectors of a Workload API caller: `unix:uid:`, `unix:gid:`, `unix:user:` and
 * `unix:group:` (when /etc/passwd and /etc/group name them) and `unix:pid:` from the kernel's
 * credentials; `unix:path:` and `unix:sha256:` of the executable from /proc/<pid>/exe.
 *
 * The kernel records the pid when the caller connects; the executable is read later. A caller that
 * has exited (or whose pid now belongs to another process, detected by start time and owner) gets
 * only the credential selectors. As with SPIRE's Unix attestor, a caller that connects and then
 * execs another program, or hands the socket to another process, is attested as whatever the pid
 * runs when we look: path and hash selectors trust the processes of the caller's uid.
 */
export async function attestUnix(creds: PeerCredentials, options: AttestUnixOptions = {}): Promise<ReadonlySet<string>> {
  const selectors = new Set([`unix:uid:${creds.uid}`, `unix:gid:${creds.gid}`]);
  const [user, group] = await Promise.all([
    lookupName(options.passwdPath ?? "/etc/passwd", creds.uid),
    lookupName(options.groupPath ?? "/etc/group", creds.gid),
  ]);
  if (user !== undefined) selectors.add(`unix:user:${user}`);
  if (group !== undefined) selectors.add(`unix:group:${group}`);
  if (creds.pid <= 0) return selectors;
  selectors.add(`unix:pid:${creds.pid}`);
  let executable: Executable | undefined;
  try {
    executable = await inspectExecutable(creds, options);
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
