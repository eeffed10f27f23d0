import { Bundle, marshalSpiffeBundle, parseAndValidateJwtSvid } from "#tessera/core";
import { selectorsMatch } from "./attestation/index.js";
import type { ApiIdentity } from "./config/index.js";
import type { SvidManager } from "./svid-manager.js";
import type { X509Material } from "./svid-material.js";
import type { CallerIdentity, JwtSvidView, WorkloadApiSource, WorkloadApiState, X509SvidView } from "./workloadapi/types.js";

/** What the Workload API reads from the SVID manager. */
export type WorkloadSvids = Pick<SvidManager, "bundle" | "x509" | "subscribe" | "jwtSvid">;

/**
 * The agent's side of the Workload API: a caller sees the identities whose selectors it matches, with
 * the SVIDs the manager holds and the trust bundle. Nothing is issued for a caller that matches none.
 * A caller entitled to identities of which none has arrived yet has no state (Unavailable, so
 * clients retry), unlike one that no identity selects (PermissionDenied). ValidateJWTSVID refuses a
 * token on the issuer's deny-list (`revocations`) while it lives.
 */
export function createWorkloadSource(
  manager: WorkloadSvids,
  identities: readonly ApiIdentity[],
  revocations?: { isJtiDenied(jti: unknown): boolean },
): WorkloadApiSource {
  const allowed = (caller: CallerIdentity) => identities.filter((i) => selectorsMatch(i.selectors, caller.selectors));
  const wants = new Map(
    identities.map((i) => [i, { spiffeId: i.spiffeId, dnsNames: i.dnsNames, ...(i.ttlSeconds ? { ttlSeconds: i.ttlSeconds } : {}) }]),
  );
  let cachedFor: Bundle | undefined;
  let cachedJwks: Uint8Array | undefined;
  const jwksOf = (bundle: Bundle): Uint8Array => {
    if (cachedFor !== bundle) {
      const jwtOnly = new Bundle({ trustDomain: bundle.trustDomain, jwtAuthorities: bundle.jwtAuthorities });
      cachedJwks = new TextEncoder().encode(marshalSpiffeBundle(jwtOnly));
      cachedFor = bundle;
    }
    return cachedJwks as Uint8Array;
  };

  // The last view built for each set of identities a caller is entitled to, reused while the manager
  // holds the same bundle and the same SVIDs (it answers none once one expires): a thousand
  // connections of one workload share one view, and so one encoded response (watch-handlers.ts).
  const views = new Map<string, { bundle: Bundle; held: (X509Material | undefined)[]; state: WorkloadApiState | undefined }>();
  const stateFor = (caller: CallerIdentity): WorkloadApiState | undefined => {
    const bundle = manager.bundle();
    if (!bundle) return undefined;
    const entitled = allowed(caller);
    const held = entitled.map((identity) => manager.x509(wants.get(identity)!));
    const key = entitled.map((identity) => identities.indexOf(identity)).join(",");
    const cached = views.get(key);
    if (cached?.bundle === bundle && cached.held.every((material, n) => material === held[n])) return cached.state;
    const state = buildState(bundle, entitled, held);
    views.set(key, { bundle, held, state });
    return state;
  };
  const buildState = (
    bundle: Bundle,
    entitled: readonly ApiIdentity[],
    held: readonly (X509Material | undefined)[],
  ): WorkloadApiState | undefined => {
    const x509Svids: X509SvidView[] = [];
    entitled.forEach((identity, n) => {
      const material = held[n];
      if (!material) return;
      x509Svids.push({
        spiffeId: material.spiffeId,
        certificates: material.certificates,
        privateKey: material.privateKey,
        expiresAt: new Date(material.expiresAt),
        ...(identity.hint ? { hint: identity.hint } : {}),
      });
    });
    if (entitled.length > 0 && x509Svids.length === 0) return undefined;
    const td = bundle.trustDomain.name;
    return {
      x509Svids,
      x509Bundles: new Map([[td, bundle.x509Authorities]]),
      jwtBundles: new Map([[td, jwksOf(bundle)]]),
    };
  };

  return {
    stateFor,
    subscribe: (listener) => manager.subscribe(listener),
    async fetchJwtSvids(caller, audience, spiffeId): Promise<JwtSvidView[]> {
      const matches = allowed(caller).filter((i) => spiffeId === undefined || i.spiffeId === spiffeId);
      const unique = matches.filter((i, n) => matches.findIndex((j) => j.spiffeId === i.spiffeId) === n);
      return Promise.all(
        unique.map(async (identity) => {
          const svid = await manager.jwtSvid(identity.spiffeId, audience);
          return { spiffeId: svid.spiffeId, token: svid.token, ...(identity.hint ? { hint: identity.hint } : {}) };
        }),
      );
    },
    async validateJwtSvid(token, audience) {
      const bundle = manager.bundle();
      if (!bundle) throw new Error("agent: no trust bundle yet");
      const svid = await parseAndValidateJwtSvid(token, bundle, { audience: [audience] });
      // The jti of the token just validated: the deny-list needs no second parse of it.
      if (revocations?.isJtiDenied(svid.claims.jti)) throw new Error("agent: the JWT-SVID was revoked by its issuer");
      return { spiffeId: svid.spiffeId.toString(), claims: svid.claims as Record<string, unknown> };
    },
  };
}
