import { Bundle } from "#tessera/core";

/** `bundle` with the X.509 authorities it lacks from `authorities` added, or undefined when it holds them all. */
export function addX509Authorities(bundle: Bundle, authorities: readonly Uint8Array[]): Bundle | undefined {
  const known = new Set(bundle.x509Authorities.map((a) => Buffer.from(a).toString("base64")));
  const added = authorities.filter((a) => !known.has(Buffer.from(a).toString("base64")));
  if (added.length === 0) return undefined;
  return new Bundle({
    trustDomain: bundle.trustDomain,
    x509Authorities: [...bundle.x509Authorities, ...added],
    jwtAuthorities: bundle.jwtAuthorities,
    ...(bundle.sequence !== undefined ? { sequence: bundle.sequence } : {}),
    ...(bundle.refreshHintSeconds !== undefined ? { refreshHintSeconds: bundle.refreshHintSeconds } : {}),
  });
}
