import { X509Certificate } from "node:crypto";
import { BundleInvalidError } from "../errors.js";

/** The certificate whose DER is exactly `der`; `where` names it in the error. */
export function readCertificate(der: Uint8Array, where: string): X509Certificate {
  let cert: X509Certificate | undefined;
  // X509Certificate also takes PEM and ignores bytes after the DER; a bundle holds exact DER only.
  if (der instanceof Uint8Array && der[0] === 0x30) {
    try {
      cert = new X509Certificate(der);
    } catch {
      cert = undefined;
    }
  }
  if (!cert || !Buffer.from(der).equals(cert.raw)) {
    throw new BundleInvalidError(`bundle: ${where} is not a DER X.509 certificate`);
  }
  return cert;
}
