// Recording CPU profiles of the stacks' processes for `npm run bench -- --profile DIR`, each over
// one window of a round (a run of the bench client). Tessera's processes are Node.js started with
// cpu-profile-preload.mjs: a SIGUSR2 starts node's inspector profiler and the next one stops it, so
// the profile covers the window exactly (the main thread only, 1 ms samples). SPIRE's are Go with
// the pprof listener of `profiling_port`: `/debug/pprof/profile?seconds=1` one second after another
// from the window's start until the second in which it ends (all threads, 100 samples a second),
// merged into one profile by `go tool pprof -proto`. Both also read the process's CPU time from /proc
// over the profile's own span, its main thread's apart.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { readProcStat } from "../../scripts/proc-stat.mjs";
import { sleep } from "./processes.js";

const execFileAsync = promisify(execFile);
/** Time for a SIGUSR2 or a profile request to reach the process before the window starts. */
const START_GRACE_MS = 50;

/** CPU time of a process, µs: all threads, its main thread, and its other threads by name. */
export interface ProcessCpu {
  process: number;
  mainThread: number;
  /** The other threads' CPU by thread name (`comm`: `V8 DefaultWorke`, `libuv-worker`, ...), µs. */
  otherThreads: Record<string, number>;
}

/** Read a process's user plus system CPU time from /proc, by thread. */
export function readCpuMicros(pid: number): ProcessCpu {
  const micros = (path: string) => readProcStat(path).cpuMicros;
  const otherThreads: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (tid === String(pid)) continue;
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      otherThreads[name] = (otherThreads[name] ?? 0) + micros(`/proc/${pid}/task/${tid}/stat`);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return {
    process: micros(`/proc/${pid}/stat`),
    mainThread: micros(`/proc/${pid}/task/${pid}/stat`),
    otherThreads,
  };
}

/** Records one process's CPU profile between start() and stop(). */
export interface ProfileRecorder {
  /** `cpuprofile` (Node.js, main thread) or `pprof` (Go, every thread). */
  format: "cpuprofile" | "pprof";
  pid: number;
  start(): Promise<void>;
  /** Stop recording (a Go profile ends with the second it is in). */
  stop(): Promise<void>;
  /** Write the profile just recorded to file (the recorder adds the extension); returns its path. */
  save(file: string): Promise<string>;
}

/** How many profiles each Node.js process has written (the preload numbers them from 1). */
const profilesWritten = new Map<number, number>();

/** A Node.js process started with cpu-profile-preload.mjs, spooling its profiles into spool. */
export function nodeRecorder(pid: number, spool: string): ProfileRecorder {
  return {
    format: "cpuprofile",
    pid,
    start: async () => {
      process.kill(pid, "SIGUSR2");
      await sleep(START_GRACE_MS);
    },
    stop: async () => {
      process.kill(pid, "SIGUSR2");
    },
    save: async (file) => {
      const count = (profilesWritten.get(pid) ?? 0) + 1;
      profilesWritten.set(pid, count);
      const spooled = join(spool, `${pid}-${count}.cpuprofile`);
      for (let waited = 0; !existsSync(spooled); waited += 20) {
        if (waited > 30_000) throw new Error(`bench: no CPU profile from pid ${pid} in ${spooled}`);
        await sleep(20);
      }
      await rename(spooled, `${file}.cpuprofile`);
      return `${file}.cpuprofile`;
    },
  };
}

/** A Go process serving net/http/pprof on 127.0.0.1:port. */
export function pprofRecorder(pid: number, port: number): ProfileRecorder {
  let stopping = false;
  let segments: Promise<Buffer[]> = Promise.resolve([]);
  let recorded: Buffer[] = [];
  const segment = async (): Promise<Buffer> => {
    const response = await fetch(`http://127.0.0.1:${port}/debug/pprof/profile?seconds=1`);
    if (response.status !== 200) throw new Error(`bench: pprof on port ${port} answered ${response.status}: ${await response.text()}`);
    return Buffer.from(await response.arrayBuffer());
  };
  return {
    format: "pprof",
    pid,
    start: async () => {
      stopping = false;
      segments = (async () => {
        const recorded: Buffer[] = [];
        do recorded.push(await segment());
        while (!stopping);
        return recorded;
      })();
      await sleep(START_GRACE_MS);
    },
    stop: async () => {
      stopping = true;
      recorded = await segments;
    },
    save: async (file) => {
      const parts = await Promise.all(
        recorded.map(async (bytes, i) => {
          const part = `${file}.part${i}.pb.gz`;
          await writeFile(part, bytes);
          return part;
        }),
      );
      const { stdout } = await execFileAsync("go", ["tool", "pprof", "-proto", ...parts], {
        encoding: "buffer",
        maxBuffer: 64 * 1024 * 1024,
      });
      await writeFile(`${file}.pb.gz`, stdout);
      await Promise.all(parts.map((part) => rm(part)));
      return `${file}.pb.gz`;
    },
  };
}

/** A recorded window: the profile file and the CPU the process used over the profile's span. */
export interface RecordedWindow<T> {
  result: T;
  file: string;
  format: ProfileRecorder["format"];
  /** CPU time of the whole process over the span, µs. */
  cpuMicros: number;
  /** Of which its main thread (the thread a Node.js profile sees), µs. */
  mainThreadCpuMicros: number;
  /** Of which its other threads, by name, µs (a thread that ended in the span is missing). */
  otherThreadsCpuMicros: Record<string, number>;
  seconds: number;
}

/** Run body with recorder recording; the profile goes to file (plus extension). */
export async function recordWindow<T>(recorder: ProfileRecorder, file: string, body: () => Promise<T>): Promise<RecordedWindow<T>> {
  const before = readCpuMicros(recorder.pid);
  const started = performance.now();
  await recorder.start();
  const result = await body();
  await recorder.stop();
  const after = readCpuMicros(recorder.pid);
  const seconds = (performance.now() - started) / 1000;
  return {
    result,
    file: await recorder.save(file),
    format: recorder.format,
    cpuMicros: after.process - before.process,
    mainThreadCpuMicros: after.mainThread - before.mainThread,
    otherThreadsCpuMicros: Object.fromEntries(
      Object.entries(after.otherThreads).map(([name, micros]) => [name, micros - (before.otherThreads[name] ?? 0)]),
    ),
    seconds,
  };
}
