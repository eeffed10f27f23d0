import { PolicyInvalidError, X509SvidInvalidError } from "../errors.js";
import { isDnsLabel, normalizeDnsName, validateDnsName } from "../x509svid/dns-name.js";

const WILDCARD = "*.";
/** A wildcard rule needs this many labels after `*.`, so no rule covers a whole top-level domain. */
const MIN_WILDCARD_BASE_LABELS = 2;

/**
 * Check an allowed-DNS-name rule when a bot is created, and return it normalised (lowercase, no
 * trailing dot). A rule is an exact hostname (`web.example.org`, `localhost`) or `*.` followed by a
 * name of at least two labels (`*.svc.example.org`); no placeholders, no other `*`.
 * `PolicyInvalidError` otherwise.
 */
export function validateAllowedDnsNamePattern(pattern: string): string {
  const name = normalizeDnsName(pattern);
  try {
    validateDnsName(name);
  } catch (err) {
    if (!(err instanceof X509SvidInvalidError)) throw err;
    throw new PolicyInvalidError(
      `issuer: allowed DNS name ${JSON.stringify(pattern.slice(0, 300))} is not a hostname or a *.domain wildcard`,
      {
        cause: err,
      },
    );
  }
  if (name.startsWith(WILDCARD) && name.split(".").length - 1 < MIN_WILDCARD_BASE_LABELS) {
    throw new PolicyInvalidError(`issuer: allowed DNS name ${JSON.stringify(pattern)} is a wildcard over a top-level domain`);
  }
  return name;
}

/**
 * True when the DNS name `name` may go into a certificate under `rules`. An exact rule grants that
 * name; a `*.domain` rule grants what a `*.domain` certificate would be accepted for: the wildcard
 * SAN `*.domain` itself and every name of exactly one more label (`a.domain`), never `domain` itself
 * nor deeper names. A wildcard SAN is granted only by that same wildcard rule. Compared normalised;
 * never throws.
 */
export function isDnsNameAllowed(name: string, rules: readonly string[]): boolean {
  if (typeof name !== "string" || !Array.isArray(rules)) return false;
  const wanted = normalizeDnsName(name);
  for (const rule of rules) {
    if (typeof rule !== "string") continue;
    const granted = normalizeDnsName(rule);
    if (granted === wanted) return true;
    if (!granted.startsWith(WILDCARD)) continue;
    const parent = granted.slice(WILDCARD.length - 1);
    if (wanted.endsWith(parent) && isDnsLabel(wanted.slice(0, -parent.length))) return true;
  }
  return false;
}
