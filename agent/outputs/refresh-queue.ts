import type { SvidManager } from "../svid-manager.js";

/** An output's refreshes, run one at a time. */
export interface RefreshQueue {
  /** Queue a refresh after the one in progress; `force` asks for a new result even if nothing changed. */
  run(force: boolean): Promise<boolean>;
  /** Run a forced refresh after `delayMs`, replacing the one pending; nothing once stopped. */
  schedule(delayMs: number): void;
  /** True once `stop` was called: a refresh then writes nothing. */
  readonly stopped: boolean;
  /** Stop hearing of changes, drop the pending timer and wait for the refresh in progress. */
  stop(): Promise<void>;
}

/**
 * Run `refresh` one call at a time: unforced whenever `manager` reports a change, forced when a
 * scheduled timer fires, and as asked through `run`. A failed refresh does not stop the next one.
 */
export function createRefreshQueue(manager: Pick<SvidManager, "subscribe">, refresh: (force: boolean) => Promise<boolean>): RefreshQueue {
  let chain: Promise<boolean> = Promise.resolve(false);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = (force: boolean) =>
    (chain = chain.then(
      () => refresh(force),
      () => refresh(force),
    ));
  const off = manager.subscribe(() => void run(false));
  return {
    run,
    schedule: (delayMs) => {
      if (stopped) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void run(true), delayMs);
      timer.unref();
    },
    get stopped() {
      return stopped;
    },
    stop: async () => {
      stopped = true;
      off();
      if (timer) clearTimeout(timer);
      await chain;
    },
  };
}
