import type { KeyObject } from "node:crypto";
import { BundleInvalidError, TesseraError } from "../errors.js";
import { parseCertificate } from "../x509svid/certificate.js";
import { publicKeyFromSpki } from "../x509svid/key-type.js";

/**
 * The public key of the certificate whose DER is exactly `der`, read by the one certificate parser
 * (strict DER, nothing after it); `where` names it in the error.
 */
export function readCertificate(der: Uint8Array, where: string): { publicKey: KeyObject } {
  try {
    return { publicKey: publicKeyFromSpki(parseCertificate(der).spkiDer) };
  } catch (err) {
    if (err instanceof TesseraError || err instanceof TypeError) {
      throw new BundleInvalidError(`bundle: ${where} is not a DER X.509 certificate`, { cause: err });
    }
    throw err;
  }
}
