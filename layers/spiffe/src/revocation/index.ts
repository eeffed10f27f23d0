/**
 * revocation: taking back SVIDs before they expire. `revokeSvids` finds live SVIDs in the audit
 * trail (one serial or `jti`, or everything a bot, instance or CA holds), records them in the
 * store's revocations and signs new CRLs; `refreshCrls` keeps one CRL per CA that signed a revoked
 * serial (signed by that CA's key, expired serials dropped, renewed before nextUpdate) and hands
 * them to the `CrlPublisher`s (S3, IAM Roles Anywhere); `getRevocationList` is what agents poll:
 * the CRLs and the JWT-SVID `jti` deny-list.
 */
export { getRevocationList, type RevocationList } from "./get-revocation-list.js";
export { CRL_LIFETIME_SECONDS, refreshCrls, type RefreshCrlsResult } from "./refresh-crls.js";
export { revokeSvids, type RevokeSvidsRequest, type RevokeSvidsResult } from "./revoke-svids.js";
export type { CrlPublisher, PublishedCrl, RevocationDeps } from "./types.js";
