import {
  ADMIN_USE_CASES_STORE,
  CHECK_POLICY_STORE,
  EMERGENCY_ROTATION_STORE,
  GET_REVOCATION_LIST_STORE,
  REVOKE_SVIDS_STORE,
  storeParts,
} from "#tessera/issuer";

/**
 * The store parts of the admin function's use cases (every admin operation, the policy check,
 * revocations, and the emergency rotation it runs itself): its routes see only these, and its IAM
 * actions come from them.
 */
export const ADMIN_FUNCTION_STORE = storeParts(
  ADMIN_USE_CASES_STORE,
  CHECK_POLICY_STORE,
  REVOKE_SVIDS_STORE,
  GET_REVOCATION_LIST_STORE,
  EMERGENCY_ROTATION_STORE,
);
