import { chmod, lstat, mkdir, unlink } from "node:fs/promises";
import { connect, type Server } from "node:net";
import { dirname, isAbsolute, relative, sep } from "node:path";
import { ConfigError } from "#tessera/core";

/** The socket's directory, when Tessera creates it: others may reach the socket inside. */
const DIRECTORY_MODE = 0o755;
/**
 * Pending connections the kernel queues (capped by net.core.somaxconn). Node's default of 511 makes
 * a Unix socket refuse (EAGAIN) when many workloads reconnect at once, e.g. after an agent restart.
 */
const LISTEN_BACKLOG = 4096;
/** World-connectable: workload attestation, not file permissions, decides what a caller gets. */
const SOCKET_MODE = 0o777;

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === "ENOENT";
}

/** Create the socket's directory (0755, each level Tessera makes) when it is missing. */
async function ensureDirectory(directory: string): Promise<void> {
  const first = await mkdir(directory, { recursive: true, mode: DIRECTORY_MODE });
  if (first === undefined) return;
  // mkdir's mode passes through the umask; set it exactly on every level made here.
  let path = first;
  for (const segment of ["", ...relative(first, directory).split(sep).filter(Boolean)]) {
    path = segment === "" ? path : `${path}${sep}${segment}`;
    await chmod(path, DIRECTORY_MODE);
  }
}

/** True when something accepts connections on `path` (another agent is serving it). */
function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/**
 * Make `path` ready to listen on: its directory exists, and a stale socket file from an earlier run
 * is gone. Refuses a path that holds anything but a socket, or a socket someone is serving.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  if (typeof path !== "string" || !isAbsolute(path)) throw new TypeError("workloadapi: socketPath must be an absolute path");
  await ensureDirectory(dirname(path));
  let stats;
  try {
    stats = await lstat(path);
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  if (!stats.isSocket()) throw new ConfigError(`workloadapi: ${path} exists and is not a socket`);
  if (await isListening(path)) throw new ConfigError(`workloadapi: ${path} is in use by another server`);
  await unlink(path).catch((err: unknown) => {
    if (!isMissing(err)) throw err;
  });
}

/** Listen on the prepared `path` and make the socket world-connectable. Returns its inode. */
export async function listenOnSocket(server: Server, path: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ path, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  await chmod(path, SOCKET_MODE);
  return (await lstat(path)).ino;
}

/** Remove the socket file, unless another server has replaced it since (a different inode). */
export async function removeSocket(path: string, inode: number): Promise<void> {
  try {
    const stats = await lstat(path);
    if (stats.isSocket() && stats.ino === inode) await unlink(path);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}
