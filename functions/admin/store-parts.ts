import * as admin from "../../layers/spiffe/src/admin/store-parts.js";
import { CHECK_POLICY_STORE } from "../../layers/spiffe/src/issuer/store-parts.js";
import { GET_REVOCATION_LIST_STORE, REVOKE_SVIDS_STORE } from "../../layers/spiffe/src/revocation/store-parts.js";
import { EMERGENCY_ROTATION_STORE } from "../../layers/spiffe/src/rotation/store-parts.js";
import { storeParts } from "../../layers/spiffe/src/store/ports/store.js";

/**
 * The store parts of the admin function's use cases (every admin operation, the policy check,
 * revocations, and the emergency rotation it runs itself): its routes see only these, and its IAM
 * actions come from them.
 */
export const ADMIN_FUNCTION_STORE = storeParts(...Object.values(admin), CHECK_POLICY_STORE, REVOKE_SVIDS_STORE, GET_REVOCATION_LIST_STORE, EMERGENCY_ROTATION_STORE);
