import { CREATE_JOIN_CHALLENGE_STORE, JOIN_BOT_STORE, RENEW_CREDENTIAL_STORE, storeParts } from "#tessera/issuer";

/** The store parts of the join function's use cases: its routes see only these, and its IAM actions come from them. */
export const JOIN_FUNCTION_STORE = storeParts(JOIN_BOT_STORE, RENEW_CREDENTIAL_STORE, CREATE_JOIN_CHALLENGE_STORE);
