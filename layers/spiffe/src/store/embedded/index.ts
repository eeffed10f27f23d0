/**
 * store/embedded: the single-machine Tessera store (`EmbeddedStore.open(options)`, options
 * `EmbeddedStoreOptions`: `{ directory, clock?, auditRetentionDays? }`).
 * The data directory (mode 0700) holds `tessera.db`, one SQLite database (WAL: a call is answered
 * only once its transaction is on disk, the log flushed off the event loop; calls made in one turn
 * of the event loop share one transaction) with every record kind in its own table, and
 * `store.lock` (the holder's pid; a lock left by a dead process is taken over). A data directory
 * written before SQLite (`LEGACY_EMBEDDED_STORE_FILES`) is imported on the first open, and its
 * files are renamed with the suffix `.imported`. Files are mode 0600. `EMBEDDED_STORE_FILES` names them.
 */
export { EMBEDDED_STORE_FILES } from "./data-directory.js";
export { EmbeddedStore, type EmbeddedStoreOptions } from "./embedded-store.js";
export { IMPORTED_SUFFIX as LEGACY_IMPORTED_SUFFIX, LEGACY_FILES as LEGACY_EMBEDDED_STORE_FILES } from "./legacy-import.js";
