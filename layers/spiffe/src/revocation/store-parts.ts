/**
 * The store parts each revocation use case declares (see `storeParts`): its `deps.store` is typed
 * from the list, and the functions' IAM actions are derived from the same lists. Values only.
 */
import { storeParts } from "../store/ports/store.js";

/** `refreshCrls`: the journal's CAs, the revocations and the last CRLs, each new CRL. */
export const REFRESH_CRLS_STORE = storeParts("JournalReader", "RevocationReader", "RevocationWriter");
/** `revokeSvids`: the issued SVIDs found in the audit trail, the journal's CAs, the revocations, the audit event, new CRLs. */
export const REVOKE_SVIDS_STORE = storeParts(REFRESH_CRLS_STORE, "AuditReader", "AuditWriter", "JournalReader", "RevocationWriter");
/** `getRevocationList`: the CRLs and the JWT deny-list. */
export const GET_REVOCATION_LIST_STORE = storeParts("RevocationReader");
