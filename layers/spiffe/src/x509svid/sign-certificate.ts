import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import type { TBSCertificate } from "@peculiar/asn1-x509";
import type { SigningKey } from "../keymanager/types.js";

/**
 * Sign a TBSCertificate with `key` (one call to `SigningKey.sign`, so one KMS Sign for a KMS key)
 * and return the DER certificate. The TBSCertificate's signature field must name the key's algorithm.
 */
export async function signTbsCertificate(tbs: TBSCertificate, key: SigningKey): Promise<Uint8Array> {
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = await key.sign(tbsDer);
  const certificate = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: tbs.signature,
    signatureValue: new Uint8Array(signature).buffer,
  });
  return new Uint8Array(AsnConvert.serialize(certificate));
}
