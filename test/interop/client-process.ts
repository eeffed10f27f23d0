// Runs an interoperability client (the go-spiffe or py-spiffe program) as a child process and
// reads the JSON lines it prints, so a test can wait for a step and act between steps.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** One line a client printed: `event` names the step. */
export type ClientEvent = Record<string, unknown> & { event: string };

/** A running client. */
export interface ClientProcess {
  readonly events: ClientEvent[];
  /** Resolves with the first event (already seen or yet to come) that `predicate` accepts. */
  waitFor(predicate: (e: ClientEvent) => boolean, timeoutMs?: number): Promise<ClientEvent>;
  /** Resolves with the exit code, and everything on stderr. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  kill(): void;
}

/** Start `command` with SPIFFE_ENDPOINT_SOCKET pointing at `socketPath`. */
export function startClient(command: string, args: string[], socketPath: string): ClientProcess {
  const child = spawn(command, args, {
    env: { ...process.env, NODE_OPTIONS: "", SPIFFE_ENDPOINT_SOCKET: `unix://${socketPath}`, PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: ClientEvent[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  let closed = false;
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-20_000)));
  createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      events.push(JSON.parse(line) as ClientEvent);
    } catch {
      events.push({ event: "unparsed", line });
    }
    for (const wake of [...waiters]) wake();
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.once("close", (code) => {
      closed = true;
      for (const wake of [...waiters]) wake();
      resolve({ code, stderr });
    });
  });
  return {
    events,
    exited,
    kill: () => child.kill("SIGKILL"),
    waitFor(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out; events so far: ${JSON.stringify(events)}\n${stderr}`)), timeoutMs);
        const check = (): void => {
          const found = events.find(predicate);
          if (found) finish(undefined, found);
          else if (closed) finish(new Error(`client exited; events: ${JSON.stringify(events)}\n${stderr}`));
        };
        function finish(err?: Error, event?: ClientEvent): void {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve(event!);
        }
        waiters.add(check);
        check();
      });
    },
  };
}
