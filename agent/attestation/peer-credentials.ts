import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { PeerCredentialsError } from "./errors.js";
import { readStartTimeSync } from "./proc.js";

/**
 * Who is at the other end of a Unix socket, as the kernel recorded it when the peer connected
 * (SO_PEERCRED): its pid, effective uid and effective gid. The pid is 0 when the peer lives in a
 * pid namespace the agent cannot see.
 */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
  /**
   * Opaque start time of `pid`, read right after the credentials; lets attestation notice that
   * the pid was reused by another process in between. Absent when unknown.
   */
  startTime?: string;
}

interface PeerCredAddon {
  getPeerCredentials(fd: number): { pid: number; uid: number; gid: number };
}

const ADDON_PATH = "../native/build/Release/peercred.node";
let addon: PeerCredAddon | undefined;

function loadAddon(): PeerCredAddon {
  if (addon) return addon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as PeerCredAddon;
    return addon;
  } catch (err) {
    throw new PeerCredentialsError("attestation: the peercred addon is not built (agent/native); run `node scripts/build-native.mjs`", {
      cause: err,
    });
  }
}

function socketFd(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  if (typeof fd !== "number" || fd < 0) {
    throw new PeerCredentialsError("attestation: socket has no file descriptor (closed, or not a Unix socket)");
  }
  return fd;
}

/**
 * The kernel's credentials of the process that connected `socket` (a Unix socket from a server's
 * `connection` event). Call it at accept time: uid and gid are fixed at connect, but the pid can be
 * reused once the peer exits, so its start time is recorded now for `attestUnix` to compare
 * (unless `startTime: false`, for attestation that never reads /proc: see `readsProcess`).
 */
export function readPeerCredentials(socket: Socket, options: { startTime?: boolean } = {}): PeerCredentials {
  const fd = socketFd(socket);
  let creds: { pid: number; uid: number; gid: number };
  try {
    creds = loadAddon().getPeerCredentials(fd);
  } catch (err) {
    if (err instanceof PeerCredentialsError) throw err;
    throw new PeerCredentialsError(`attestation: ${(err as Error).message}`, { cause: err });
  }
  const { pid, uid, gid } = creds;
  const startTime = pid > 0 && options.startTime !== false ? readStartTimeSync("/proc", pid) : undefined;
  return startTime === undefined ? { pid, uid, gid } : { pid, uid, gid, startTime };
}
