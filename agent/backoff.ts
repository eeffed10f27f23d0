/** Exponential backoff with full jitter: 1 s, 2 s, 4 s... up to `maxMs`. */
export function backoffDelayMs(attempt: number, options: { baseMs?: number; maxMs?: number; random?: () => number } = {}): number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 60_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (options.random ?? Math.random)() * (ceiling / 2));
}

/**
 * When to renew something valid from `issuedAt` to `expiresAt`: at about half its lifetime, moved by
 * up to a tenth of the lifetime either way so that many agents do not renew in the same second.
 */
export function renewalDelayMs(issuedAt: number, expiresAt: number, now: number, random: () => number = Math.random): number {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  const at = issuedAt + lifetime * (0.5 + (random() * 0.2 - 0.1));
  return Math.max(0, at - now);
}
