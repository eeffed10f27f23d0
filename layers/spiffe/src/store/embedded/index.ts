/**
 * store/embedded: the single-machine Tessera store (`EmbeddedStore.open(options)`, options
 * `EmbeddedStoreOptions`: `{ directory, clock? }`).
 * The data directory (mode 0700) holds `state.json` (bots, join tokens, bot instances, replay
 * records, CA journals; rewritten atomically after every change: temp file, fsync, rename, fsync of
 * the directory), `audit.jsonl` (one event per line, fsynced per append; a line torn by a crash is
 * dropped on open) and `store.lock` (the holder's pid; a lock left by a dead process is taken over).
 * `revocations.json` holds revoked SVIDs and the last CRL of each CA, rewritten atomically too.
 * Files are mode 0600. `EMBEDDED_STORE_FILES` names them.
 */
export { EMBEDDED_STORE_FILES } from "./data-directory.js";
export { EmbeddedStore, type EmbeddedStoreOptions } from "./embedded-store.js";
