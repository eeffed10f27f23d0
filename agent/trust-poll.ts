import { bundleStateOf, IssuerApiError, type IssuerClient, type RevocationsResponse, type TrustStateResponse } from "./issuer-client.js";

/** How old an answer of `GET /v1/trust` may be and still serve the other poller, ms: the route's own `max-age`. */
export const TRUST_REUSE_MS = 10_000;
/** How long a bundle poll waits for a revocation poll due at the same moment to start, ms. */
export const TRUST_GATHER_MS = 25;

/**
 * The agent's two polls, the trust bundle (the SVID manager) and the revocations (the revocation
 * watcher), served by one `GET /v1/trust` when they fall together. A revocation poll fetches
 * `GET /v1/trust` (the revocations, and the bundle with them); a bundle poll takes its answer when
 * one is under `TRUST_REUSE_MS` old or on its way (it waits `TRUST_GATHER_MS` for a revocation poll
 * due at the same moment), and otherwise fetches `GET /v1/bundle`, which reads nothing from the
 * store. So an agent whose two intervals are equal sends one request per interval instead of two,
 * and one whose intervals differ sends what it sent before. The data are what the two routes would
 * have answered (each CRL is still verified against the bundle by the watcher). An issuer without
 * the route (404) is polled route by route from then on.
 */
export class TrustPoll {
  readonly #client: Pick<IssuerClient, "fetchTrustState" | "fetchBundleState" | "fetchRevocations">;
  readonly #now: () => number;
  #last: { at: number; answer: TrustStateResponse } | undefined;
  #inflight: Promise<TrustStateResponse> | undefined;
  #combined = true;
  readonly #gatherMs: number;

  constructor(
    client: Pick<IssuerClient, "fetchTrustState" | "fetchBundleState" | "fetchRevocations">,
    now: () => number = Date.now,
    gatherMs = TRUST_GATHER_MS,
  ) {
    this.#client = client;
    this.#now = now;
    this.#gatherMs = gatherMs;
  }

  /** The SPIFFE bundle document and the active X.509 CA's SHA-256, as `IssuerClient.fetchBundleState` answers. */
  async fetchBundleState(): Promise<{ text: string; activeX509Sha256?: string }> {
    await new Promise((resolve) => setTimeout(resolve, this.#gatherMs));
    const answer = this.#inflight || this.#fresh() ? await this.#answer() : undefined;
    if (!answer) return this.#client.fetchBundleState();
    return bundleStateOf(answer.bundle, answer.active_x509_sha256);
  }

  /** The CRLs and the JWT-SVID deny-list, as `IssuerClient.fetchRevocations` answers. */
  async fetchRevocations(): Promise<RevocationsResponse> {
    const answer = await this.#answer();
    if (!answer) return this.#client.fetchRevocations();
    return { crls: answer.crls, denied_jwt_svids: answer.denied_jwt_svids };
  }

  #fresh(): boolean {
    return this.#combined && this.#last !== undefined && this.#now() - this.#last.at < TRUST_REUSE_MS;
  }

  /** A fresh enough answer of `GET /v1/trust`, or undefined once the issuer has shown it has no such route. */
  async #answer(): Promise<TrustStateResponse | undefined> {
    if (!this.#combined) return undefined;
    if (this.#fresh()) return this.#last!.answer;
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
