import type { JwtMaterial, RevokedSvids } from "./svid-material.js";

/** Which JWT-SVID a workload asks for. */
export interface JwtSvidRequest {
  spiffeId: string;
  audience: string[];
  ttlSeconds?: number;
}

/**
 * The agent's JWT-SVIDs: one fetch at a time per SPIFFE ID, audience and lifetime, its result reused
 * while it has more than half its life left. A failed fetch is forgotten, so the next ask tries again.
 */
export class JwtSvidCache {
  readonly #now: () => number;
  readonly #entries = new Map<string, Promise<JwtMaterial>>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The cached JWT-SVID for `request` while it has more than half its life left, or the one `fetch` brings. */
  async get(request: JwtSvidRequest, fetch: () => Promise<JwtMaterial>): Promise<JwtMaterial> {
    const key = `${request.spiffeId}|${[...request.audience].sort().join(" ")}|${request.ttlSeconds ?? ""}`;
    const cached = this.#entries.get(key);
    if (cached) {
      const material = await cached.catch(() => undefined);
      if (material && this.#now() < material.issuedAt + (material.expiresAt - material.issuedAt) / 2) return material;
      if (this.#entries.get(key) !== cached) return this.get(request, fetch);
    }
    const fetching = fetch();
    this.#entries.set(key, fetching);
    fetching.catch(() => {
      if (this.#entries.get(key) === fetching) this.#entries.delete(key);
    });
    return fetching;
  }

  /** Forget each cached JWT-SVID `revoked` names. */
  dropRevoked(revoked: RevokedSvids): void {
    for (const [key, cached] of this.#entries)
      void cached.then(
        (m) => revoked.jwt(m.token) && this.#entries.get(key) === cached && this.#entries.delete(key),
        () => undefined,
      );
  }

  /** Forget every cached JWT-SVID (a signing key left the bundle). */
  clear(): void {
    this.#entries.clear();
  }
}
