// Test helpers for code that must tell Workload API callers apart: run a Node script as another
// user, and make a temporary directory that user can reach. Not exported from index.ts.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What a script run by {@link runAsUser} did. */
export interface RunAsUserResult {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runAsUser}. */
export interface RunAsUserOptions {
  /** Extra arguments, seen by the script as `process.argv.slice(1)`. */
  args?: string[];
  /** Environment (default: this process's, without NODE_OPTIONS so no TypeScript loader is forced on the child). */
  env?: NodeJS.ProcessEnv;
  /** Kill the child after this long (default 20 s). */
  timeoutMs?: number;
  /** Called with the child's pid once it is spawned. */
  onSpawn?: (pid: number) => void;
}

/** True when this process may start processes under other uids (it runs as root). */
export function canSwitchUser(): boolean {
  return process.getuid?.() === 0;
}

/** The uid and gid of `nobody` from /etc/passwd (65534 when absent): a user that is surely not us. */
export function unprivilegedUser(): { uid: number; gid: number } {
  try {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith("nobody:"));
    const [, , uid, gid] = line?.split(":") ?? [];
    if (uid && gid) return { uid: Number(uid), gid: Number(gid) };
  } catch {
    // fall through to the conventional ids
  }
  return { uid: 65534, gid: 65534 };
}

/** A new temporary directory that every user can enter and list (0755), e.g. for a test socket. */
export async function createSharedTempDir(prefix = "tessera-attest-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/**
 * Run `script` (an ES module, e.g. one that connects to a socket) with this Node binary as
 * `uid`:`gid` without supplementary groups, in `/`. Needs root; resolves when the child exits.
 */
export function runAsUser(uid: number, gid: number, script: string, options: RunAsUserOptions = {}): Promise<RunAsUserResult> {
  const env = options.env ?? { ...process.env, NODE_OPTIONS: "" };
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, ...(options.args ?? [])], {
    uid,
    gid,
    env,
    cwd: "/",
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.once("spawn", () => options.onSpawn?.(child.pid as number));
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ pid: child.pid as number, code, signal, stdout, stderr });
    });
  });
}
