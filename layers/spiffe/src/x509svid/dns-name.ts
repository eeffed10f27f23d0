import { X509SvidInvalidError } from "../errors.js";

const MAX_DNS_NAMES = 64;
const MAX_NAME_LENGTH = 253;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function invalid(name: string, why: string): X509SvidInvalidError {
  return new X509SvidInvalidError(`x509svid: DNS name ${JSON.stringify(name.slice(0, 64))} ${why}`);
}

/** True when `label` is one hostname label: letters, digits and inner hyphens, at most 63. */
export function isDnsLabel(label: string): boolean {
  return LABEL.test(label);
}

/**
 * The form in which DNS names are compared and written: ASCII letters lowercased (nothing else, so
 * no non-ASCII character can turn into an ASCII one), and one trailing dot (the root) dropped.
 */
export function normalizeDnsName(name: string): string {
  const lower = name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** Throws `X509SvidInvalidError` unless `name` is a hostname; a leading `*` label (wildcard) is allowed. */
export function validateDnsName(name: string): void {
  if (typeof name !== "string") throw new X509SvidInvalidError("x509svid: DNS name must be a string");
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw invalid(name, `must be 1 to ${MAX_NAME_LENGTH} characters`);
  const labels = name.split(".");
  labels.forEach((label, i) => {
    if (i === 0 && label === "*" && labels.length > 1) return;
    if (!isDnsLabel(label)) throw invalid(name, "is not a hostname (labels of letters, digits and inner hyphens)");
  });
  // A DNS SAN that reads as an IPv4 address would be matched as a name, never as the address.
  if (/^[0-9]+$/.test(labels.at(-1)!)) throw invalid(name, "must not end in a numeric label");
}

/** Validate DNS SANs: each a hostname, no duplicates (case-insensitive), at most 64. */
export function validateDnsNames(names: readonly string[]): void {
  if (!Array.isArray(names)) throw new TypeError("x509svid: dnsNames must be an array");
  if (names.length > MAX_DNS_NAMES) throw new X509SvidInvalidError(`x509svid: at most ${MAX_DNS_NAMES} DNS names`);
  const seen = new Set<string>();
  for (const name of names) {
    validateDnsName(name);
    const key = name.toLowerCase();
    if (seen.has(key)) throw invalid(name, "is repeated");
    seen.add(key);
  }
}
