import { CrlInvalidError, X509SvidInvalidError } from "../errors.js";
import { equalBytes } from "../internal/der/der-element.js";
import { subjectKeyIdOf } from "../x509svid/build-certificate.js";
import { parseCertificate, type ParsedCertificate } from "../x509svid/certificate.js";
import { publicKeyFromSpki } from "../x509svid/key-type.js";
import { resolveSignatureScheme, verifySignature } from "../x509svid/signature-algorithm.js";
import { parseCrl } from "./parse-crl.js";
import type { ParsedCrl } from "./types.js";

/** Options of `verifyCrl`. */
export interface VerifyCrlOptions {
  /** DER of the CA certificates the CRL may come from (the trust bundle's X.509 authorities). */
  authorities: readonly Uint8Array[];
  /** The time to check thisUpdate / nextUpdate against. */
  now: Date;
}

function keyIdOf(ca: ParsedCertificate): Uint8Array {
  return ca.subjectKeyId ?? subjectKeyIdOf(ca.spkiDer);
}

function readAuthorities(authorities: readonly Uint8Array[]): ParsedCertificate[] {
  return authorities.flatMap((der) => {
    try {
      return [parseCertificate(der)];
    } catch (err) {
      if (err instanceof X509SvidInvalidError) return [];
      throw err;
    }
  });
}

/**
 * Parse a DER CRL and check it: a v2 CRL whose issuer and authority key identifier name one of
 * `authorities`, signed by that CA's key under an accepted algorithm, with thisUpdate not in the
 * future and nextUpdate not passed. Returns the CRL and the CA that signed it; throws
 * `CrlInvalidError` (deliberately vague for a signature that does not verify).
 */
export function verifyCrl(der: Uint8Array, options: VerifyCrlOptions): { crl: ParsedCrl; issuer: ParsedCertificate } {
  const crl = parseCrl(der);
  const issuer = readAuthorities(options.authorities).find(
    (ca) => equalBytes(ca.subjectDer, crl.issuerDer) && (crl.authorityKeyId === undefined || equalBytes(keyIdOf(ca), crl.authorityKeyId)),
  );
  if (!issuer) throw new CrlInvalidError("crl: the CRL's issuer is not an authority of the bundle");
  const scheme = resolveSignatureScheme(crl.signatureAlgorithm);
  if (!scheme || !verifySignature(scheme, crl.tbsDer, crl.signature, publicKeyFromSpki(issuer.spkiDer))) {
    throw new CrlInvalidError("crl: signature does not verify");
  }
  const now = options.now.getTime();
  if (crl.thisUpdate.getTime() > now + 5 * 60_000) throw new CrlInvalidError("crl: thisUpdate is in the future");
  if (crl.nextUpdate !== undefined && crl.nextUpdate.getTime() <= now) throw new CrlInvalidError("crl: the CRL is past its nextUpdate");
  return { crl, issuer };
}
