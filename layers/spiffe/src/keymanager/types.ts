import type { KeyObject } from "node:crypto";

/** Key types a key manager can make. Names follow KMS's `KeySpec`. */
export type KeySpec = "ECC_NIST_P256" | "ECC_NIST_P384" | "RSA_2048" | "RSA_3072";

/** Every key spec Tessera accepts for its own keys. */
export const KEY_SPECS: readonly KeySpec[] = ["ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048", "RSA_3072"];

/** A private key held by a key manager: it signs, and it gives its public key. */
export interface SigningKey {
  /** The key manager's id for this key slot, e.g. `x509-ca-a`. */
  readonly id: string;
  readonly spec: KeySpec;
  readonly publicKey: KeyObject;
  /**
   * Sign `data` with the key's one algorithm (see `signatureAlgorithmFor`): ECDSA with SHA-256
   * (P-256) or SHA-384 (P-384), RSASSA-PKCS1-v1_5 with SHA-256 (RSA). ECDSA signatures come back
   * DER-encoded, as X.509 wants them; JWS callers convert them to r||s.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/**
 * A key manager that can retire a key once nothing it signed is still valid, instead of leaving
 * it until its id is next given a new key (a KMS key bills by the month until it is scheduled for
 * deletion). `retireKey` is idempotent: nothing happens for an id without a key.
 */
export interface KeyRetirer {
  /** Stop the key of `id` from ever signing again and have it deleted (KMS: scheduled); `getKey(id)` then throws `KeyNotFoundError`. */
  retireKey(id: string): Promise<void>;
}

/**
 * Where Tessera's private keys live. Three methods, as SPIRE's key manager: generating a key
 * for an id that already has one replaces it (and retires the old key).
 */
export interface KeyManager {
  /** Make a new key for `id`, replacing any key the id had. */
  generateKey(id: string, spec: KeySpec): Promise<SigningKey>;
  /** The key for `id`; throws `KeyNotFoundError` when there is none. */
  getKey(id: string): Promise<SigningKey>;
  /** Every key this manager holds. */
  listKeys(): Promise<SigningKey[]>;
}
