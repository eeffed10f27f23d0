import type { SigningKey } from "../keymanager/types.js";
import { encodeBitString, encodeSequence } from "../internal/der/der-writer.js";

/**
 * Sign a DER TBSCertificate with `key` (one call to `SigningKey.sign`, so one KMS Sign for a KMS key)
 * and return the DER certificate. `signatureAlgorithm` is the DER AlgorithmIdentifier of the key's
 * algorithm, the one the TBSCertificate names.
 */
export async function signTbsCertificate(tbsCertificate: Uint8Array, signatureAlgorithm: Uint8Array, key: SigningKey): Promise<Uint8Array> {
  const signature = await key.sign(tbsCertificate);
  return encodeSequence(tbsCertificate, signatureAlgorithm, encodeBitString(signature));
}
