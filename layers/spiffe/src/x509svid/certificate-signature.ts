import type { KeyObject } from "node:crypto";
import type { ParsedCertificate } from "./certificate.js";
import { resolveSignatureScheme, verifySignature } from "./signature-algorithm.js";

/** True when `cert`'s signature, under an accepted algorithm, verifies with `issuerPublicKey`. */
export function isCertificateSignedBy(cert: ParsedCertificate, issuerPublicKey: KeyObject): boolean {
  const scheme = resolveSignatureScheme(cert.signatureAlgorithm);
  return scheme !== undefined && verifySignature(scheme, cert.tbsDer, cert.signature, issuerPublicKey);
}
