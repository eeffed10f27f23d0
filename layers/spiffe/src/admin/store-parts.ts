/**
 * The store parts each admin use case declares (see `storeParts`): its `deps.store` is typed from
 * the list, and the admin function's IAM actions are derived from the same lists. Values only.
 */
import { storeParts } from "../store/ports/store.js";

/** `createBot`: the new bot and its audit event. */
export const CREATE_BOT_STORE = storeParts("BotWriter", "AuditWriter");
/** `listBots`, `listBotPage`: every bot. */
export const LIST_BOTS_STORE = storeParts("BotLister");
/** `getBotByName`: one bot. */
export const GET_BOT_STORE = storeParts("BotReader");
/** `showBot`, `listBotInstancePage`: the bot and its instances. */
export const SHOW_BOT_STORE = storeParts(GET_BOT_STORE, "BotInstanceLister");
/** `deleteBot`: the delete (with its tokens and instances) and its audit event. */
export const DELETE_BOT_STORE = storeParts("BotWriter", "AuditWriter");
/** `createJoinToken`: the bot it joins as, the token, the audit event. */
export const CREATE_JOIN_TOKEN_STORE = storeParts("BotReader", "JoinTokenWriter", "AuditWriter");
/** `listJoinTokens`, `listJoinTokenPage`: the tokens of live bots. */
export const LIST_JOIN_TOKENS_STORE = storeParts("JoinTokenLister");
/** `setLock`: the bot, instance or token read and its lock written, and the audit event. */
export const SET_LOCK_STORE = storeParts(
  "BotReader",
  "BotLocker",
  "BotInstanceReader",
  "BotInstanceLocker",
  "JoinTokenReader",
  "JoinTokenLocker",
  "AuditWriter",
);
/** `listAuditPage`: the audit trail. */
export const LIST_AUDIT_PAGE_STORE = storeParts("AuditReader");
/** `countIssuance`: the SVID events of the audit trail. */
export const COUNT_ISSUANCE_STORE = storeParts("AuditReader");
/** `findLastX509Svids`: the bot's `x509_svid` events. */
export const FIND_LAST_X509_SVIDS_STORE = storeParts("AuditReader");
/** `getTrustAnchorState`: the CRLs, compared with the anchor's. */
export const GET_TRUST_ANCHOR_STATE_STORE = storeParts("RevocationReader");
/** `getCaStatus`: the journals. */
export const GET_CA_STATUS_STORE = storeParts("JournalReader");
/** `requestCaRotation`: the journals, marked for rotation. */
export const REQUEST_CA_ROTATION_STORE = storeParts("JournalReader", "JournalWriter");
/** `emergencyCaRotation`: the status it answers with (the rotation itself runs on `deps.rotation`'s stores). */
export const EMERGENCY_CA_ROTATION_STORE = storeParts(GET_CA_STATUS_STORE);
/** Every admin use case's parts together: what a function serving all admin routes may call. */
export const ADMIN_USE_CASES_STORE = storeParts(
  CREATE_BOT_STORE,
  LIST_BOTS_STORE,
  GET_BOT_STORE,
  SHOW_BOT_STORE,
  DELETE_BOT_STORE,
  CREATE_JOIN_TOKEN_STORE,
  LIST_JOIN_TOKENS_STORE,
  SET_LOCK_STORE,
  LIST_AUDIT_PAGE_STORE,
  COUNT_ISSUANCE_STORE,
  FIND_LAST_X509_SVIDS_STORE,
  GET_TRUST_ANCHOR_STATE_STORE,
  GET_CA_STATUS_STORE,
  REQUEST_CA_ROTATION_STORE,
  EMERGENCY_CA_ROTATION_STORE,
);
