/**
 * keymanager/kms: keys in AWS KMS, one asymmetric SIGN_VERIFY key per id behind an alias, tagged,
 * replaced by a new key with the old one scheduled for deletion. `KmsKeyManager` implements
 * `KeyManager` over an injected client (`KmsApi`), configured by `KmsKeyManagerOptions`;
 * `KEY_ID_TAG` is the tag naming each key's id. Throttling is retried by the client itself
 * (`createKmsClient` configures the SDK's retry strategy).
 */
export { KEY_ID_TAG, KmsKeyManager } from "./kms-key-manager.js";
export type { KmsApi, KmsKeyManagerOptions } from "./kms-key-manager.js";
