// Test helpers: drive `isEventLoopBusy` to true or false, so code that hands crypto to the thread
// pool when the loop is busy takes the path a test wants.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { isEventLoopBusy } from "./event-loop-pressure.js";

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // keep the event loop busy
  }
}

/** Keep the loop busy across two samples; afterwards `isEventLoopBusy()` is true for about 50 ms. */
export function makeEventLoopBusy(): void {
  isEventLoopBusy();
  for (let i = 0; i < 3 && !isEventLoopBusy(); i++) spin(60);
  if (!isEventLoopBusy()) throw new Error("test: the event loop did not read as busy");
}

/** Let the loop idle until `isEventLoopBusy()` reads false; it then stays false for about 50 ms. */
export async function makeEventLoopRelaxed(): Promise<void> {
  for (let i = 0; i < 10 && isEventLoopBusy(); i++) await sleep(60);
  if (isEventLoopBusy()) throw new Error("test: the event loop did not read as relaxed");
}
