import { IssuerApiError, type IssuerClient, type RevocationsResponse, type TrustStateResponse } from "./issuer-client.js";

/** How old an answer of `GET /v1/trust` may be and still serve the other poller, ms: the route's own `max-age`. */
export const TRUST_REUSE_MS = 10_000;

/**
 * The agent's two polls, the trust bundle (the SVID manager) and the revocations (the revocation
 * watcher), served by one `GET /v1/trust` when they fall together: the first of them to ask
 * fetches it, and the other, asking within `TRUST_REUSE_MS`, gets the same answer, so an agent
 * whose two intervals are equal sends one request per interval instead of two. The data are what
 * the two routes would have answered (each CRL is still verified against the bundle by the
 * watcher). An issuer without the route (404) is polled route by route from then on.
 */
export class TrustPoll {
  readonly #client: Pick<IssuerClient, "fetchTrustState" | "fetchBundleState" | "fetchRevocations">;
  readonly #now: () => number;
  #last: { at: number; answer: TrustStateResponse } | undefined;
  #inflight: Promise<TrustStateResponse> | undefined;
  #combined = true;

  constructor(client: Pick<IssuerClient, "fetchTrustState" | "fetchBundleState" | "fetchRevocations">, now: () => number = Date.now) {
    this.#client = client;
    this.#now = now;
  }

  /** The SPIFFE bundle document and the active X.509 CA's SHA-256, as `IssuerClient.fetchBundleState` answers. */
  async fetchBundleState(): Promise<{ text: string; activeX509Sha256?: string }> {
    const answer = await this.#answer();
    if (!answer) return this.#client.fetchBundleState();
    const active = answer.active_x509_sha256;
    return active && /^[0-9a-f]{64}$/.test(active) ? { text: answer.bundle, activeX509Sha256: active } : { text: answer.bundle };
  }

  /** The CRLs and the JWT-SVID deny-list, as `IssuerClient.fetchRevocations` answers. */
  async fetchRevocations(): Promise<RevocationsResponse> {
    const answer = await this.#answer();
    if (!answer) return this.#client.fetchRevocations();
    return { crls: answer.crls, denied_jwt_svids: answer.denied_jwt_svids };
  }

  /** A fresh enough answer of `GET /v1/trust`, or undefined once the issuer has shown it has no such route. */
  async #answer(): Promise<TrustStateResponse | undefined> {
    if (!this.#combined) return undefined;
    if (this.#last && this.#now() - this.#last.at < TRUST_REUSE_MS) return this.#last.answer;
    this.#inflight ??= this.#client
      .fetchTrustState()
      .then((answer) => {
        this.#last = { at: this.#now(), answer };
        return answer;
      })
      .finally(() => (this.#inflight = undefined));
    try {
      return await this.#inflight;
    } catch (err) {
      if (!(err instanceof IssuerApiError && err.status === 404)) throw err;
      this.#combined = false;
      return undefined;
    }
  }
}
