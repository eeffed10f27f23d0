/**
 * admin: what operators do through the admin API and the `tessera` CLI: bots, join tokens, locks,
 * the audit trail and the CA's state. Every change is audited with the acting principal.
 */
export { listAuditPage, type AuditQuery } from "./audit-and-status.js";
export {
  countIssuance,
  ISSUANCE_PAGE_SIZE,
  ISSUANCE_SCAN_CAP,
  type IssuanceCountDeps,
  type IssuanceCountQuery,
  type IssuanceCounts,
  type IssuanceSeries,
} from "./issuance-counts.js";
export { auditCursorOf, type Page } from "./pages.js";
export { findLastX509Svids, LAST_SVID_PAGE_SIZE, LAST_SVID_SCAN_CAP, type LastSvids } from "./last-svids.js";
export { getCaStatus, requestCaRotation, type CaStatus, type SlotStatusView } from "./ca-status.js";
export { getTrustAnchorState, type TrustAnchorSource, type TrustAnchorStateDeps, type TrustAnchorView } from "./ca-trust-anchor.js";
export { TRUST_ANCHOR_READ_TTL_MS } from "./trust-anchor-reads.js";
export { emergencyCaRotation, type EmergencyRotationInput, type EmergencyRotationView } from "./ca-emergency.js";
export {
  assertBotName,
  createBot,
  deleteBot,
  getBotByName,
  listBotInstancePage,
  listBotPage,
  listBots,
  showBot,
  type CreateBotInput,
} from "./bots.js";
export { setLock, type LockTarget, type SetLockInput, type SetLockResult } from "./locks.js";
export { createJoinToken, listJoinTokenPage, listJoinTokens, type CreateJoinTokenInput, type CreatedJoinToken } from "./tokens.js";
export type { AdminActor, AdminDeps } from "./types.js";
