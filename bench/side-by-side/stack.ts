// What the round driver needs of a stack (Tessera or SPIRE): restart its issuer and its agent with
// their state kept, and the addresses and pids the Go bench client measures.
import type { ProfileRecorder } from "./cpu-profiles.js";
import { run, stopOnFailure, unixNanos, type Running } from "./processes.js";

/** The SPIFFE ID both stacks issue to the bench client. */
export const WORKLOAD_ID = "spiffe://example.org/bench/web";

/** One stack under test. */
export interface Stack {
  name: string;
  /** The agent's Workload API address, `unix:///path`. */
  socket: string;
  agent(): Running;
  issuer(): Running;
  /** Stop the agent, restart the issuer with its data kept; ms from spawn to its first 200. */
  restartIssuer(): Promise<number>;
  /** Restart the agent with its state kept; ms from spawn to the first FetchX509SVID answered. */
  restartAgent(): Promise<number>;
  /** The bench client's `issue` flags that pick this stack's issuer. */
  issueFlags(): string[];
  /** A CPU profile recorder for the running issuer or agent; only a stack started for `--profile` has one. */
  recorder?(role: "issuer" | "agent"): ProfileRecorder;
  stop(): Promise<void>;
}

/** Run the Go bench client in `mode` and return the JSON object it printed. */
export async function benchClient<T>(client: string, mode: string, args: string[]): Promise<T> {
  return JSON.parse(await run(client, [mode, ...args])) as T;
}

/** Spawn a process with start() and time it until the bench client's probe (`first-200` or `first-fetch`) succeeds. */
export async function timeStart(
  client: string,
  start: () => Running,
  probe: "first-200" | "first-fetch",
  target: string,
): Promise<{ running: Running; ms: number }> {
  const since = unixNanos();
  const running = start();
  const flag = probe === "first-200" ? "-url" : "-socket";
  return stopOnFailure(running, async () => {
    const result = await benchClient<Record<string, number>>(client, probe, [flag, target, "-since", since]);
    return { running, ms: result[probe === "first-200" ? "first_200_ms" : "first_fetch_ms"]! };
  });
}

/** How a stack starts its parts, and the parts already running. */
export interface StackParts {
  name: string;
  socket: string;
  client: string;
  /** The URL that answers 200 once the issuer is ready. */
  issuerReady: string;
  startIssuer(): Running;
  /** Start the agent with its state kept (already joined). */
  startAgent(): Running;
  issueFlags: string[];
  issuer: Running;
  agent: Running;
  /** Given for `--profile`: a recorder for the process of role with pid. */
  recorder?: (role: "issuer" | "agent", pid: number) => ProfileRecorder;
}

/** A Stack over its parts: restarts stop what runs and time the new process to its first answer. */
export function assembleStack(parts: StackParts): Stack {
  let { issuer, agent } = parts;
  return {
    name: parts.name,
    socket: parts.socket,
    agent: () => agent,
    issuer: () => issuer,
    restartIssuer: async () => {
      await agent.stop();
      await issuer.stop();
      const started = await timeStart(parts.client, parts.startIssuer, "first-200", parts.issuerReady);
      issuer = started.running;
      return started.ms;
    },
    restartAgent: async () => {
      await agent.stop();
      const started = await timeStart(parts.client, parts.startAgent, "first-fetch", parts.socket);
      agent = started.running;
      return started.ms;
    },
    issueFlags: () => parts.issueFlags,
    ...(parts.recorder && {
      recorder: (role: "issuer" | "agent") => parts.recorder!(role, (role === "issuer" ? issuer : agent).pid),
    }),
    stop: async () => {
      await agent.stop();
      await issuer.stop();
    },
  };
}
