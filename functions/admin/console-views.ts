import type { IssuanceCounts, IssuanceSeries, TrustAnchorView } from "#tessera/issuer";

const iso = (time: number | Date) => new Date(time).toISOString();
const isoIfSet = (time: number | Date | undefined) => (time === undefined ? undefined : iso(time));

/** `GET /v1/admin/ca/trust-anchor`: the Roles Anywhere trust anchor, in the admin API's field names. */
export function trustAnchorView(view: TrustAnchorView) {
  if (!view.configured) return { configured: false };
  if ("error" in view) return { configured: true, trust_anchor_id: view.trustAnchorId, error: view.error };
  const s = view.state;
  return {
    configured: true,
    trust_anchor_id: s.trustAnchorId,
    found: s.found,
    trust_anchor_arn: s.trustAnchorArn,
    name: s.name,
    enabled: s.enabled,
    source_type: s.sourceType,
    certificates: s.certificates,
    matches_bundle: s.matchesBundle,
    bundle_unfit: s.bundleUnfit,
    created_at: isoIfSet(s.createdAt),
    updated_at: isoIfSet(s.updatedAt),
    crls: s.crls?.map((crl) => ({
      ca_id: crl.caId,
      name: crl.name,
      imported: crl.imported,
      enabled: crl.enabled,
      updated_at: isoIfSet(crl.updatedAt),
      current: crl.current,
    })),
  };
}

const seriesView =
  <F extends string>(field: F) =>
  (series: IssuanceSeries) =>
    ({ [field]: series.key, total: series.total, counts: series.counts }) as { [K in F]: string } & { total: number; counts: number[] };

/** `GET /v1/admin/stats/issuance`: SVIDs per bucket, per SPIFFE ID and per bot. */
export function issuanceView(counts: IssuanceCounts) {
  return {
    since: iso(counts.since),
    until: iso(counts.until),
    bucket_seconds: counts.bucketMs / 1000,
    x509: counts.x509,
    jwt: counts.jwt,
    per_spiffe_id: counts.perSpiffeId.map(seriesView("spiffe_id")),
    per_bot: counts.perBot.map(seriesView("bot_name")),
    spiffe_ids: counts.spiffeIds,
    bots: counts.bots,
    scanned: counts.scanned,
    capped: counts.capped,
    counted_since: iso(counts.countedSince),
  };
}
