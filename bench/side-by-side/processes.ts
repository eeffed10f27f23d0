// Child processes of the side-by-side benchmark: the stacks' servers and agents, and one-shot runs
// of their CLIs and of the Go bench client. Output of long-running children goes to a log file in
// the run's directory, so a slow reader never stalls them.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** A long-running child and how to stop it. */
export interface Running {
  pid: number;
  stop(): Promise<void>;
}

/** Wall-clock time in Unix nanoseconds (microsecond precision), to hand to another process. */
export function unixNanos(): string {
  return (BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n).toString();
}

/** Start `command args` with its output appended to logFile; a child that dies early is reported when it is stopped. */
export function startProcess(command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Running {
  const log = openSync(logFile, "a");
  const child: ChildProcess = spawn(command, args, { env, stdio: ["ignore", log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("error", (err) => console.error(`bench: ${command}: ${err.message}`));
  if (child.pid === undefined) throw new Error(`bench: could not start ${command}`);
  return {
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

/** Run next while running is up; when next throws, stop running before passing the error on. */
export async function stopOnFailure<T>(running: Running, next: () => Promise<T>): Promise<T> {
  try {
    return await next();
  } catch (err) {
    await running.stop();
    throw err;
  }
}

/** Run a command to completion and return its stdout; a non-zero exit throws with its stderr. */
export async function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const { stderr, stdout } = err as { stderr?: string; stdout?: string };
    throw new Error(`bench: ${command} ${args.join(" ")} failed: ${stderr || stdout || String(err)}`, { cause: err });
  }
}

/** The resident set size of pid, MiB. */
export function rssMib(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`bench: no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** Resolve after ms. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
