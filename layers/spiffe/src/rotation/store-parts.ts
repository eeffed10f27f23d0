/**
 * The store parts the rotation use cases declare (see `storeParts`), for the functions' IAM
 * actions. Values only: this file loads nothing else.
 */
import { AUTHORITY_CACHE_STORE, AUTHORITY_STORE } from "../ca/store-parts.js";
import { REFRESH_CRLS_STORE } from "../revocation/store-parts.js";
import { storeParts } from "../store/ports/store.js";

/** `runRotationTick`: the authorities, the bundle it publishes, each step's audit event, the CRLs it renews. */
export const ROTATION_TICK_STORE = storeParts(AUTHORITY_STORE, AUTHORITY_CACHE_STORE, REFRESH_CRLS_STORE, "AuditWriter");
/** `runEmergencyRotation`: the journals marked, then rotation ticks. */
export const EMERGENCY_ROTATION_STORE = storeParts(ROTATION_TICK_STORE, "JournalReader", "JournalWriter");
