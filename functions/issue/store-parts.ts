import { AUTHORITY_CACHE_STORE, GET_REVOCATION_LIST_STORE, ISSUE_JWT_SVID_STORE, ISSUE_X509_SVID_STORE, storeParts } from "#tessera/issuer";

/** The store parts of the issue function's use cases (SVIDs, the bundle, the CRLs): its routes see only these, and its IAM actions come from them. */
export const ISSUE_FUNCTION_STORE = storeParts(
  ISSUE_X509_SVID_STORE,
  ISSUE_JWT_SVID_STORE,
  AUTHORITY_CACHE_STORE,
  GET_REVOCATION_LIST_STORE,
);
