/**
 * Workload attestation for the agent's Workload API socket. The kernel tells us who connected
 * (`readPeerCredentials`, SO_PEERCRED through the small addon in `agent/native`); the Unix attestor
 * turns that into selectors (`attestUnix`: uid, gid, user, group, pid, executable path and SHA-256);
 * the configuration's selectors are validated with `parseSelector` and matched with `selectorsMatch`.
 * A caller gets only the identities whose selectors it matches.
 */
export { PeerCredentialsError, SelectorInvalidError, WorkloadAttestationError } from "./errors.js";
export { readPeerCredentials, type PeerCredentials } from "./peer-credentials.js";
export { attestUnix, readsProcess, type AttestUnixOptions, type Executable } from "./unix-attestor.js";
export { createProcessCache, DEFAULT_PROCESS_CACHE_ENTRIES, type ProcessCache } from "./process-cache.js";
export { parseSelector, selectorKindsOf, selectorsMatch, type UnixSelector, type UnixSelectorKind } from "./selector.js";
