/**
 * keymanager: where Tessera's private keys live, behind one small interface (`KeyManager`:
 * generate, get, list; a `SigningKey` signs and gives its public key). Two implementations:
 * `KmsKeyManager` (AWS KMS, for the deployed issuer) and `DiskKeyManager` (PEM files, for the
 * single-machine default). `KEY_SPECS` and `signatureAlgorithmFor` say which key types exist and
 * how each signs; `ecdsaDerToJose` / `ecdsaJoseToDer` convert ECDSA signatures between X.509's DER
 * and JOSE's r||s. Also exported: the option types, `KmsApi` (the narrow KMS client), `KEY_ID_TAG`.
 */
export { KEY_SPECS } from "./types.js";
export type { KeyManager, KeyRetirer, KeySpec, SigningKey } from "./types.js";
export { signatureAlgorithmFor } from "./spec.js";
export type { SignatureAlgorithm } from "./spec.js";
export { ecdsaDerToJose, ecdsaJoseToDer } from "./ecdsa-signature.js";
export { DiskKeyManager } from "./disk/index.js";
export type { DiskKeyManagerOptions } from "./disk/index.js";
export { KEY_ID_TAG, KmsKeyManager } from "./kms/index.js";
export type { KmsApi, KmsKeyManagerOptions } from "./kms/index.js";
