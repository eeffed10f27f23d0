/**
 * The store parts the deployment use cases declare (see `storeParts`), for the functions' IAM
 * actions. Values only: this file loads nothing else.
 */
import { AUTHORITY_CACHE_STORE, AUTHORITY_STORE } from "../ca/store-parts.js";
import { storeParts } from "../store/ports/store.js";

/** `bootstrapDeployment`: the authorities it ensures and the bundle it publishes. `removeDeployment` uses no store. */
export const BOOTSTRAP_DEPLOYMENT_STORE = storeParts(AUTHORITY_STORE, AUTHORITY_CACHE_STORE);
