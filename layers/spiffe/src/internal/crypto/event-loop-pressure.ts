// Where a signature is made or checked: in the calling thread while its event loop has time to
// spare (no hand-off cost: a Lambda invocation, an issuer waiting on its store), in libuv's thread
// pool once the loop is the bottleneck, so concurrent requests use the machine's other cores. The
// pool also runs every file system call (the store's writes and fsyncs): at most one job per other
// core, and never more than two, is handed off, so the store's calls never queue behind signatures.
// `performance` is the global one: importing node:perf_hooks loaded its histograms, timerify and
// event-loop-delay monitor on every Lambda cold start (about 1 ms of CPU), none of which is used.
import { availableParallelism } from "node:os";
import type { EventLoopUtilization } from "node:perf_hooks";

/** How long one utilization sample spans, ms. */
const SAMPLE_MS = 50;
/** Above this share of busy time the loop hands crypto off; below `RELAXED` it takes it back. */
const BUSY = 0.85;
const RELAXED = 0.6;

let previous: EventLoopUtilization | undefined;
let sampledAt = 0;
let busy = false;

/**
 * True while this thread's event loop was busy for most of the last sample (hysteresis between 60%
 * and 85%), read at most every 50 ms; `now` is `performance.now()`.
 */
export function isEventLoopBusy(now: number = performance.now()): boolean {
  if (now - sampledAt < SAMPLE_MS) return busy;
  const current = performance.eventLoopUtilization();
  if (previous) {
    const { utilization } = performance.eventLoopUtilization(current, previous);
    busy = busy ? utilization > RELAXED : utilization > BUSY;
  }
  previous = current;
  sampledAt = now;
  return busy;
}

const MAX_HANDED_OFF = Math.max(1, Math.min(availableParallelism() - 1, 2));
let handedOff = 0;

/**
 * Run a signature or its check: `inThreadPool` while the event loop is busy and fewer than
 * (cores - 1, at most 2) such jobs are out, else `inThisThread`. Both must compute the same thing.
 */
export async function placeCrypto<T>(inThisThread: () => T, inThreadPool: () => Promise<T>): Promise<T> {
  if (handedOff >= MAX_HANDED_OFF || !isEventLoopBusy()) return inThisThread();
  handedOff++;
  try {
    return await inThreadPool();
  } finally {
    handedOff--;
  }
}
