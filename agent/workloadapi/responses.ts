import { SpiffeId, TrustDomain } from "#tessera/core";
import type {
  JwtBundlesResponseMessage,
  JwtSvidMessage,
  X509BundlesResponseMessage,
  X509SvidMessage,
  X509SvidResponseMessage,
} from "./messages.js";
import type { JwtSvidView, WorkloadApiState } from "./types.js";

/** Where response building reports entries it had to leave out. */
export type ReportProblem = (message: string, fields: Record<string, unknown>) => void;

function concatDer(certificates: readonly Uint8Array[]): Buffer {
  return Buffer.concat(certificates.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
}

function trustDomainId(name: string, report: ReportProblem): string | undefined {
  try {
    return TrustDomain.fromString(name).idString();
  } catch {
    report("workloadapi: bundle left out: invalid trust domain name", { trust_domain: name });
    return undefined;
  }
}

/** A map keyed by trust domain SPIFFE ID, in sorted order so equal states encode to equal bytes. */
function byTrustDomainId<T>(entries: Iterable<readonly [string, T]>, report: ReportProblem, skip?: ReadonlySet<string>): Record<string, T> {
  const out: [string, T][] = [];
  for (const [name, value] of entries) {
    if (skip?.has(name)) continue;
    const id = trustDomainId(name, report);
    if (id !== undefined) out.push([id, value]);
  }
  out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(out);
}

/** Keeps the first entry of every non-empty hint: the standard wants hints unique per response. */
export function dropDuplicateHints<T extends { hint?: string; spiffeId: string }>(items: readonly T[], report: ReportProblem): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (!item.hint) return true;
    if (seen.has(item.hint)) {
      report("workloadapi: SVID left out: its hint is not unique", { spiffe_id: item.spiffeId, hint: item.hint });
      return false;
    }
    seen.add(item.hint);
    return true;
  });
}

/**
 * The X509SVIDResponse for a caller's state: one entry per SVID (chain, key, the bundle of its own
 * trust domain), and every other trust domain's CAs as federated bundles. An SVID whose ID does not
 * parse or whose trust domain has no bundle is left out and reported.
 */
export function buildX509SvidResponse(state: WorkloadApiState, report: ReportProblem): X509SvidResponseMessage {
  const svids: X509SvidMessage[] = [];
  const ownTrustDomains = new Set<string>();
  for (const svid of dropDuplicateHints(state.x509Svids, report)) {
    let trustDomain: string;
    try {
      trustDomain = SpiffeId.fromString(svid.spiffeId).trustDomain.name;
    } catch {
      report("workloadapi: X.509-SVID left out: invalid SPIFFE ID", { spiffe_id: svid.spiffeId });
      continue;
    }
    const bundle = state.x509Bundles.get(trustDomain);
    if (!bundle || bundle.length === 0) {
      report("workloadapi: X.509-SVID left out: no bundle for its trust domain", { spiffe_id: svid.spiffeId });
      continue;
    }
    ownTrustDomains.add(trustDomain);
    svids.push({
      spiffe_id: svid.spiffeId,
      x509_svid: concatDer(svid.certificates),
      x509_svid_key: Buffer.from(svid.privateKey),
      bundle: concatDer(bundle),
      hint: svid.hint ?? "",
    });
  }
  const federated = [...state.x509Bundles].map(([name, certs]) => [name, concatDer(certs)] as const);
  return { svids, crl: [], federated_bundles: byTrustDomainId(federated, report, ownTrustDomains) };
}

/** The X509BundlesResponse: every trust domain's CA certificates, keyed by trust domain SPIFFE ID. */
export function buildX509BundlesResponse(state: WorkloadApiState, report: ReportProblem): X509BundlesResponseMessage {
  const bundles = [...state.x509Bundles].map(([name, certs]) => [name, concatDer(certs)] as const);
  return { crl: [], bundles: byTrustDomainId(bundles, report) };
}

/** The JWTBundlesResponse: every trust domain's JWKS document, keyed by trust domain SPIFFE ID. */
export function buildJwtBundlesResponse(state: WorkloadApiState, report: ReportProblem): JwtBundlesResponseMessage {
  const bundles = [...state.jwtBundles].map(([name, jwks]) => [name, Buffer.from(jwks)] as const);
  return { bundles: byTrustDomainId(bundles, report) };
}

/** The JWTSVID entries of a JWTSVIDResponse. */
export function buildJwtSvids(svids: readonly JwtSvidView[], report: ReportProblem): JwtSvidMessage[] {
  return dropDuplicateHints(svids, report).map((s) => ({ spiffe_id: s.spiffeId, svid: s.token, hint: s.hint ?? "" }));
}
