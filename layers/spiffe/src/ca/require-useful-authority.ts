import { AuthorityExpiredError } from "../errors.js";

/**
 * The shortest life an SVID may be issued with, seconds. A key with less left than this signs
 * nothing: the SVID would expire (or, backdated, already be past its CA) before a workload could use
 * it. Rotation activates the next key while the active one still has at least the maximum SVID TTL
 * + `TESSERA_BACKDATE` + 60 s left (`loadConfig` enforces the lifetimes that make this so), so a
 * running schedule never reaches this floor.
 */
export const MIN_SVID_LIFETIME_SECONDS = 60;

/** Refuse (`ERR_AUTHORITY_EXPIRED`) to sign with a key of `what` whose notAfter is less than `MIN_SVID_LIFETIME_SECONDS` after `now`. */
export function requireUsefulAuthority(authority: { notAfter: Date }, now: Date, what: string): void {
  const leftSeconds = Math.floor((authority.notAfter.getTime() - now.getTime()) / 1000);
  if (leftSeconds >= MIN_SVID_LIFETIME_SECONDS) return;
  const state = leftSeconds <= 0 ? "expired at" : `expires in ${leftSeconds} s, at`;
  throw new AuthorityExpiredError(
    `ca: the active ${what} ${state} ${authority.notAfter.toISOString()}; rotation has not replaced it (see \`tessera ca status\`)`,
  );
}
