import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");
export const TESSERA_BIN = join(ROOT, "bin", "tessera.mjs");

/** What a finished CLI run printed, and how it exited. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `tessera ARGS` as a real process (the bin users run), with a clean NODE_OPTIONS. */
export function runTessera(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TESSERA_BIN, ...args], {
      env: { ...process.env, NODE_OPTIONS: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A `tessera dev` process and the URL it printed. */
export interface DevProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** Start `tessera dev --port 0 --data-dir DIR` and wait for it to print its API URL. */
export function startDevProcess(dataDir: string, extraArgs: string[] = []): Promise<DevProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TESSERA_BIN, "dev", "--port", "0", "--data-dir", dataDir, ...extraArgs], {
      env: { ...process.env, NODE_OPTIONS: "", TESSERA_LOG_LEVEL: "WARN" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tessera dev did not start:\n${output}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      output += d;
      const match = /API:\s+(http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1] as string,
          child,
          output: () => output,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done(child.exitCode);
              child.once("exit", (code) => done(code));
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tessera dev exited with ${code}:\n${output}`));
    });
  });
}
