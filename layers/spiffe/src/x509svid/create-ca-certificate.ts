import { TesseraError, X509SvidInvalidError } from "../errors.js";
import type { SigningKey } from "../keymanager/types.js";
import { TrustDomain } from "../spiffeid/spiffe-id.js";
import { buildCaTbsCertificate, checkValidityOption } from "./build-certificate.js";
import { equalBytes } from "../internal/der/der-element.js";
import { parseCertificate } from "./certificate.js";
import { isCertificateSignedBy } from "./certificate-signature.js";
import { classifyPublicKey, spkiOf } from "./key-type.js";
import { encodeSerialNumber, generateSerialNumber } from "./serial-number.js";
import { signTbsCertificate } from "./sign-certificate.js";
import { encodeSignatureAlgorithm } from "./signature-algorithm.js";
import { checkCommonNameOption, defaultCaCommonName, encodeSubjectName } from "./subject-name.js";
import type { CreateCaCertificateOptions } from "./types.js";
import { checkCaProfile } from "./validate-profile.js";

/** Re-validate a freshly signed CA certificate: profile, self-signature, key, name and SPIFFE ID. */
function revalidateCaCertificate(der: Uint8Array, key: SigningKey, trustDomain: TrustDomain): void {
  try {
    const cert = parseCertificate(der);
    checkCaProfile(cert);
    if (!equalBytes(cert.spkiDer, spkiOf(key.publicKey))) throw new X509SvidInvalidError("x509svid: CA certificate holds another key");
    if (!equalBytes(cert.issuerDer, cert.subjectDer)) throw new X509SvidInvalidError("x509svid: CA certificate is not self-issued");
    if (!isCertificateSignedBy(cert, key.publicKey)) throw new X509SvidInvalidError("x509svid: CA certificate signature does not verify");
    if (cert.uris.length !== 1 || cert.uris[0] !== trustDomain.idString()) {
      throw new X509SvidInvalidError("x509svid: CA certificate does not name its trust domain");
    }
  } catch (err) {
    if (err instanceof TesseraError) {
      throw new X509SvidInvalidError(`x509svid: created CA certificate failed re-validation: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/**
 * Create a self-signed X.509-SVID signing certificate (a root CA) for `trustDomain`, signed by `key`,
 * and re-validate it before returning its DER. The URI SAN is the trust domain's SPIFFE ID.
 */
export async function createCaCertificate(options: CreateCaCertificateOptions): Promise<Uint8Array> {
  const { key, trustDomain, notBefore, notAfter } = options;
  if (!(trustDomain instanceof TrustDomain)) throw new TypeError("x509svid: trustDomain must be a TrustDomain");
  checkValidityOption(notBefore, notAfter);
  const commonName = options.commonName ?? defaultCaCommonName(trustDomain);
  checkCommonNameOption(commonName);
  classifyPublicKey(key.publicKey);
  const signatureAlgorithm = encodeSignatureAlgorithm(key.spec);
  const tbs = buildCaTbsCertificate({
    serialNumber: options.serialNumber === undefined ? generateSerialNumber() : encodeSerialNumber(options.serialNumber),
    signatureAlgorithm,
    subject: encodeSubjectName(commonName),
    notBefore,
    notAfter,
    spki: spkiOf(key.publicKey),
    trustDomainId: trustDomain.idString(),
  });
  const der = await signTbsCertificate(tbs, signatureAlgorithm, key);
  revalidateCaCertificate(der, key, trustDomain);
  return der;
}
