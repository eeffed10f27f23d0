/**
 * keymanager/disk: keys as PKCS#8 PEM files in a private directory, written atomically, for the
 * single-machine default. `DiskKeyManager` implements `KeyManager`; `DiskKeyManagerOptions` names
 * its directory.
 */
export { DiskKeyManager } from "./disk-key-manager.js";
export type { DiskKeyManagerOptions } from "./disk-key-manager.js";
