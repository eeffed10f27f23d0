/**
 * The store parts the authority functions declare (see `storeParts`), for the functions' IAM
 * actions. Values only: this file loads nothing else.
 */
import { storeParts } from "../store/ports/store.js";

/** `AuthorityCache`: the journals it reads the signing keys and the bundle from. */
export const AUTHORITY_CACHE_STORE = storeParts("JournalReader");
/** `ensureAuthorities`, `executeRotationStep` (`AuthorityDeps`): the journals, read and written, and the lease of one writer. */
export const AUTHORITY_STORE = storeParts("JournalReader", "JournalWriter", "ReplayWriter");
