import type { Store } from "#tessera/issuer";

/** A store wrapped so that every call of one of its methods is counted, by method name. */
export interface CountingStore {
  store: Store;
  /** Calls per method since the last `reset`. */
  readonly calls: Map<string, number>;
  /** Every call since the last `reset`. */
  total(): number;
  reset(): void;
}

/**
 * Wrap `inner` so that each store operation (every method but `close`) is counted before it runs:
 * what a join or an SVID costs in store operations, whatever the store. Calls go to `inner` as they
 * are, so its behaviour is unchanged.
 */
export function countingStore(inner: Store): CountingStore {
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      const method = value as (...a: unknown[]) => unknown;
      if (typeof name !== "string" || name === "close" || name === "constructor") return method.bind(target);
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return method.apply(target, args);
      };
    },
  });
  return {
    store,
    calls,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    reset: () => calls.clear(),
  };
}
