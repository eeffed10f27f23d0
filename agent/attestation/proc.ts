import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

// Reading /proc/<pid>: enough to tell whether a pid still names the process that connected.

/** Field 22 of /proc/<pid>/stat (start time in clock ticks after boot), as an opaque token. */
export function parseStartTime(stat: string): string {
  // The command name (field 2) is parenthesised and may hold spaces and parentheses itself.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const startTime = fields[19];
  if (startTime === undefined || !/^\d+$/.test(startTime)) throw new Error(`unexpected /proc stat format`);
  return startTime;
}

/** The start time of `pid`, or `undefined` once it has exited. */
export function readStartTimeSync(procRoot: string, pid: number): string | undefined {
  try {
    return parseStartTime(readFileSync(join(procRoot, String(pid), "stat"), "latin1"));
  } catch {
    return undefined;
  }
}

/** The start time of the process at `procDir` (throws ENOENT or ESRCH once it has exited). */
export async function readStartTime(procDir: string): Promise<string> {
  return parseStartTime(await readFile(join(procDir, "stat"), "latin1"));
}

/** The effective uid and gid of the process at `procDir`, from its status file. */
export async function readEffectiveIds(procDir: string): Promise<{ uid: number; gid: number }> {
  const status = await readFile(join(procDir, "status"), "latin1");
  const effective = (key: string): number => {
    const line = status.split("\n").find((l) => l.startsWith(`${key}:`));
    const value = line?.split(/\s+/)[2];
    if (value === undefined || !/^\d+$/.test(value)) throw new Error(`unexpected /proc status format (${key})`);
    return Number(value);
  };
  return { uid: effective("Uid"), gid: effective("Gid") };
}
