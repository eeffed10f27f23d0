/**
 * ca: Tessera's signing authorities. The X.509 CA and the JWT key live in A/B slots recorded in a
 * journal; `ensureAuthorities` makes the first ones, `AuthorityCache` loads the active ones (checking
 * each key against what the journal published) and builds the trust bundle from every published key.
 */
export { AuthorityCache, type AuthorityCacheOptions } from "./authority-cache.js";
export { buildBundle, type BuildBundleOptions } from "./build-bundle.js";
export { createAuthoritySlot, type CreateSlotOptions } from "./create-slot.js";
export { ensureAuthorities, ensureAuthority, type EnsureAuthorityResult } from "./ensure-authorities.js";
export { keyIdForSlot } from "./key-ids.js";
export { MIN_SVID_LIFETIME_SECONDS, requireUsefulAuthority } from "./require-useful-authority.js";
export { jwtPublicKeysOf, loadJwtAuthority, loadX509Authority, x509CertificatesOf } from "./load-authorities.js";
export type { AuthorityDeps, AuthorityDepsOver, AuthorityPolicy, JwtAuthority, X509Authority } from "./types.js";
