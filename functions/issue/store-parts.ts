import { AUTHORITY_CACHE_STORE } from "../../layers/spiffe/src/ca/store-parts.js";
import { ISSUE_JWT_SVID_STORE, ISSUE_X509_SVID_STORE } from "../../layers/spiffe/src/issuer/store-parts.js";
import { GET_REVOCATION_LIST_STORE } from "../../layers/spiffe/src/revocation/store-parts.js";
import { storeParts } from "../../layers/spiffe/src/store/ports/store.js";

/** The store parts of the issue function's use cases (SVIDs, the bundle, the CRLs): its routes see only these, and its IAM actions come from them. */
export const ISSUE_FUNCTION_STORE = storeParts(ISSUE_X509_SVID_STORE, ISSUE_JWT_SVID_STORE, AUTHORITY_CACHE_STORE, GET_REVOCATION_LIST_STORE);
