import type { ResponseOf, trustAnchorRoute } from "#tessera/contract";
import { formatTable } from "../output.js";

/** The admin API's trust anchor answer, or why it could not be had. */
export type TrustAnchorResult = ResponseOf<typeof trustAnchorRoute> | { unreadable: string };
type Crl = NonNullable<ResponseOf<typeof trustAnchorRoute>["crls"]>[number];

const yesNo = (value: boolean | undefined) => (value === undefined ? "-" : value ? "yes" : "no");

function crlText(crl: Crl): string {
  if (!crl.imported) return "not imported";
  const which =
    crl.current === undefined ? "imported (no CRL signed yet)" : crl.current ? "imported, the last signed" : "imported, an older one";
  return `${which}${crl.enabled === false ? " (disabled)" : ""}${crl.updated_at ? `, updated ${crl.updated_at}` : ""}`;
}

/** `tessera ca status`'s section on the IAM Roles Anywhere trust anchor the issuer keeps holding its CAs. */
export function formatTrustAnchor(result: TrustAnchorResult): string {
  const title = "Roles Anywhere trust anchor:";
  if ("unreadable" in result) return `${title} could not be asked for (${result.unreadable})`;
  if (!result.configured) return `${title} not configured (this issuer has none; the embedded default)`;
  if (result.error !== undefined) return `${title} ${result.trust_anchor_id} could not be read: ${result.error}`;
  if (!result.found) return `${title} Roles Anywhere has no trust anchor ${result.trust_anchor_id}`;
  const holds = `${yesNo(result.matches_bundle)}${result.bundle_unfit ? ` (${result.bundle_unfit})` : ""}`;
  const lines = [
    `  anchor:      ${result.trust_anchor_arn ?? result.trust_anchor_id}${result.name ? ` (${result.name})` : ""}`,
    `  enabled:     ${yesNo(result.enabled)}`,
    `  source:      ${result.source_type ?? "-"}, ${result.certificates ?? 0} CA certificate(s)`,
    `  holds exactly the published CAs: ${holds}`,
    `  updated:     ${result.updated_at ?? "-"}`,
  ];
  const crls = result.crls ?? [];
  const table = crls.length
    ? formatTable(
        ["CA", "CRL IN ROLES ANYWHERE"],
        crls.map((crl) => [crl.ca_id, crlText(crl)]),
      )
    : "no CA in the bundle";
  return `${title}\n${lines.join("\n")}\n\n${table}`;
}
