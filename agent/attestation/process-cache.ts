// A small map with a bound, the least recently used entry dropped first: workload attestation keeps
// what it learnt about a process here, by pid and start time, so the thousand connections of one
// process read /proc once.

/** What attestation remembers per process; see `createProcessCache`. */
export interface ProcessCache<T> {
  get(key: string): Promise<T> | undefined;
  set(key: string, value: Promise<T>): void;
  /** Forget `key`, only while it still holds `value` (a newer entry stays). */
  delete(key: string, value: Promise<T>): void;
  readonly size: number;
}

/** Processes remembered by default: far more than a host runs Workload API clients at once. */
export const DEFAULT_PROCESS_CACHE_ENTRIES = 4096;

/** A cache of at most `maxEntries` processes (default {@link DEFAULT_PROCESS_CACHE_ENTRIES}). */
export function createProcessCache<T>(maxEntries = DEFAULT_PROCESS_CACHE_ENTRIES): ProcessCache<T> {
  const entries = new Map<string, Promise<T>>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    delete(key, value) {
      if (entries.get(key) === value) entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
