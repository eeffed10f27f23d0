import { renewalDelayMs, renewalWindowOf } from "./backoff.js";
import { IssuerApiError, type IssuerClient, type X509SvidAsk, type X509SvidResponse } from "./issuer-client.js";

/** How long the batcher gathers X.509-SVID requests before sending them, ms: the CSRs of one renewal round are made by then. */
export const BATCH_GATHER_MS = 25;
/** Most entries one batch carries (the issuer's limit); a longer round is sent as several batches. */
export const MAX_BATCH_ENTRIES = 64;
/** A renewal due within this much of another one joins it, ms. */
export const RENEWAL_JOIN_WINDOW_MS = 5 * 60_000;

interface Pending {
  request: X509SvidAsk;
  resolve: (svid: X509SvidResponse) => void;
  reject: (err: unknown) => void;
}

/**
 * The bot credential: `use` runs a call with it (read when the batch is sent, and never while a
 * renewal of it is under way: `BotSession.use`), `refused` hears the issuer's refusal of it.
 */
export interface BatchCredential {
  use<T>(call: (credential: string) => Promise<T>): Promise<T>;
  refused(credential: string, code: string): void;
}

/**
 * The agent's X.509-SVID requests, gathered: the requests made within `BATCH_GATHER_MS` of each
 * other go to the issuer as one `POST /v1/svids/x509/batch` (one alone goes as
 * `POST /v1/svids/x509`). The credential is read when the batch is sent, never before the wait: a
 * credential renewed meanwhile must not be presented again (the issuer locks an instance whose old
 * credential comes back). Each caller gets its own SVID, or its entry's refusal as an
 * `IssuerApiError` with the code and status it would have had alone; a refused batch (a bad
 * credential) rejects every caller with that refusal. An issuer without the batch route (404) is
 * asked one SVID at a time from then on.
 */
export class X509SvidBatcher {
  readonly #client: Pick<IssuerClient, "fetchX509Svid" | "fetchX509SvidBatch">;
  readonly #credential: BatchCredential;
  readonly #gatherMs: number;
  #pending: Pending[] = [];
  #batchRoute = true;

  constructor(client: Pick<IssuerClient, "fetchX509Svid" | "fetchX509SvidBatch">, credential: BatchCredential, gatherMs = BATCH_GATHER_MS) {
    this.#client = client;
    this.#credential = credential;
    this.#gatherMs = gatherMs;
  }

  /** An X.509-SVID for `request`, asked together with the others asked meanwhile. */
  fetch(request: X509SvidAsk): Promise<X509SvidResponse> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      if (this.#pending.length === 1) setTimeout(() => void this.#flush(), this.#gatherMs);
    });
  }

  async #flush(): Promise<void> {
    const queue = this.#pending;
    this.#pending = [];
    for (let i = 0; i < queue.length; i += MAX_BATCH_ENTRIES) {
      const part = queue.slice(i, i + MAX_BATCH_ENTRIES);
      try {
        await this.#credential.use((credential) => {
          const refuse = (p: Pending) => (err: unknown) => {
            if (err instanceof IssuerApiError) this.#credential.refused(credential, err.code);
            p.reject(err);
          };
          return this.#send(
            credential,
            part.map((p) => ({ ...p, reject: refuse(p) })),
          );
        });
      } catch (err) {
        for (const p of part) p.reject(err);
      }
    }
  }

  async #send(credential: string, part: Pending[]): Promise<void> {
    if (part.length === 1 || !this.#batchRoute) {
      await Promise.all(part.map((p) => this.#client.fetchX509Svid(credential, p.request).then(p.resolve, p.reject)));
      return;
    }
    let answer;
    try {
      answer = await this.#client.fetchX509SvidBatch(
        credential,
        part.map((p) => p.request),
      );
    } catch (err) {
      if (err instanceof IssuerApiError && err.status === 404) {
        this.#batchRoute = false;
        return this.#send(credential, part);
      }
      for (const p of part) p.reject(err);
      return;
    }
    part.forEach((p, i) => {
      const result = answer.results[i];
      if (result === undefined) p.reject(new IssuerApiError(200, "ERR_RESPONSE_INVALID", "client: the batch answer has too few results"));
      else if ("error" in result) p.reject(new IssuerApiError(result.error.status, result.error.code, result.error.message));
      else p.resolve({ ...result, bundle: answer.bundle });
    });
  }
}

/**
 * When to renew an SVID whose own renewal time is `at`: the time of another renewal already
 * scheduled in `others` within `RENEWAL_JOIN_WINDOW_MS` of it and within the SVID's own renewal
 * window (`earliest` to `latest`, the range its jitter could have picked; the nearest such), so that
 * the renewals go to the issuer as one batch without renewing any SVID earlier or later than its
 * own rule allows; else `at`.
 */
export function alignRenewalAt(at: number, window: { earliest: number; latest: number }, others: Iterable<number>): number {
  let best = at;
  for (const other of others) {
    if (other < window.earliest || other > window.latest || Math.abs(other - at) > RENEWAL_JOIN_WINDOW_MS) continue;
    if (best === at || Math.abs(other - at) < Math.abs(best - at)) best = other;
  }
  return best;
}

/**
 * When to renew an X.509-SVID issued `now` that expires at `expiresAt`: its jittered renewal time
 * (`renewalDelayMs`), joined to the renewal of one of `others` (the agent's other SVIDs, those with a
 * renewal scheduled) by `alignRenewalAt`.
 */
export function batchedRenewalAt(now: number, expiresAt: number, others: { timer?: unknown; renewAt?: number }[]): number {
  const scheduled = others.flatMap((s) => (s.timer && s.renewAt ? [s.renewAt] : []));
  return alignRenewalAt(now + renewalDelayMs(now, expiresAt, now), renewalWindowOf(now, expiresAt), scheduled);
}
