import type { KeyObject } from "node:crypto";
import { X509SvidInvalidError } from "../errors.js";
import { SpiffeId } from "../spiffeid/spiffe-id.js";
import { buildSvidTbsCertificate, checkValidityOption, subjectKeyIdOf } from "./build-certificate.js";
import { equalBytes } from "../internal/der/der-element.js";
import { parseCertificate } from "./certificate.js";
import type { ParsedCertificate } from "./certificate.js";
import { validateDnsNames } from "./dns-name.js";
import { classifyPublicKey, publicKeyFromSpki, spkiOf } from "./key-type.js";
import { revalidateX509Svid } from "./revalidate-x509-svid.js";
import { encodeSerialNumber, formatSerialNumber, generateSerialNumber } from "./serial-number.js";
import { signTbsCertificate } from "./sign-certificate.js";
import { encodeSignatureAlgorithm } from "./signature-algorithm.js";
import { checkCommonNameOption, defaultSvidCommonName, encodeSubjectName } from "./subject-name.js";
import type { SignX509SvidOptions, SignX509SvidResult } from "./types.js";
import { checkCaProfile } from "./validate-profile.js";

function invalid(message: string): X509SvidInvalidError {
  return new X509SvidInvalidError(`x509svid: ${message}`);
}

function toPublicKey(value: KeyObject | Uint8Array): KeyObject {
  if (value instanceof Uint8Array) return publicKeyFromSpki(value);
  if (typeof value !== "object" || value === null || value.type !== "public") {
    throw new TypeError("x509svid: publicKey must be a public KeyObject or DER SubjectPublicKeyInfo");
  }
  return value;
}

// A CA certificate and key pair checked once per pair of objects (the authority cache hands out the
// same ones until the CA changes): parsing and profiling it again for every SVID is wasted work.
const checkedCas = new WeakMap<Uint8Array, WeakMap<KeyObject, ParsedCertificate>>();

function checkedCa(options: SignX509SvidOptions): ParsedCertificate {
  const byKey = checkedCas.get(options.caCertificate) ?? new WeakMap<KeyObject, ParsedCertificate>();
  let ca = byKey.get(options.caKey.publicKey);
  if (!ca) {
    ca = parseCertificate(options.caCertificate);
    checkCaProfile(ca);
    if (!equalBytes(ca.spkiDer, spkiOf(options.caKey.publicKey))) throw invalid("CA key does not match the CA certificate");
    byKey.set(options.caKey.publicKey, ca);
    checkedCas.set(options.caCertificate, byKey);
  }
  return ca;
}

/** The CA certificate, checked against the signing profile, the key and the SVID's trust domain. */
function loadSigningCa(options: SignX509SvidOptions): ParsedCertificate {
  const ca = checkedCa(options);
  if (ca.uris.length === 1 && !SpiffeId.fromString(ca.uris[0]!).trustDomain.equals(options.spiffeId.trustDomain)) {
    throw invalid(`SPIFFE ID is outside the CA's trust domain ${ca.uris[0]}`);
  }
  return ca;
}

/**
 * Sign a leaf X.509-SVID for `spiffeId` and `publicKey`, signed by the CA key (exactly one
 * signature), with notAfter clipped to the CA's; the leaf is re-validated before it is returned.
 * Throws `X509SvidInvalidError` for a bad DNS name, a SPIFFE ID the CA cannot sign, an expired CA
 * or a failed re-validation; `KeyUnsupportedError` for a key type Tessera does not accept.
 */
export async function signX509Svid(options: SignX509SvidOptions): Promise<SignX509SvidResult> {
  const { caKey, spiffeId, notBefore } = options;
  if (!(spiffeId instanceof SpiffeId)) throw new TypeError("x509svid: spiffeId must be a SpiffeId");
  checkValidityOption(notBefore, options.notAfter);
  if (spiffeId.path === "") throw invalid("leaf SPIFFE ID must have a non-root path");
  const dnsNames = options.dnsNames ?? [];
  validateDnsNames(dnsNames);
  const commonName = options.commonName ?? defaultSvidCommonName(spiffeId);
  checkCommonNameOption(commonName);
  const publicKey = toPublicKey(options.publicKey);
  classifyPublicKey(publicKey);
  const ca = loadSigningCa(options);
  const notAfter = new Date(Math.min(options.notAfter.getTime(), ca.notAfter.getTime()));
  if (Math.floor(notAfter.getTime() / 1000) <= Math.floor(notBefore.getTime() / 1000)) {
    throw invalid("CA certificate expires before the SVID's notBefore");
  }
  const serialNumber = options.serialNumber === undefined ? generateSerialNumber() : encodeSerialNumber(options.serialNumber);
  const spki = spkiOf(publicKey);
  const signatureAlgorithm = encodeSignatureAlgorithm(caKey.spec);
  const authorityKeyId = ca.subjectKeyId ?? subjectKeyIdOf(ca.spkiDer);
  const tbs = buildSvidTbsCertificate({
    serialNumber,
    signatureAlgorithm,
    issuer: ca.subjectDer,
    subject: encodeSubjectName(commonName),
    notBefore,
    notAfter,
    spki,
    spiffeId: spiffeId.toString(),
    dnsNames,
    authorityKeyId,
  });
  const certificate = await signTbsCertificate(tbs, signatureAlgorithm, caKey);
  const leaf = await revalidateX509Svid(certificate, { ca, caKey, spiffeId, dnsNames, spki, serialNumber, authorityKeyId });
  return { certificate, serialNumber: formatSerialNumber(serialNumber), notAfter: leaf.notAfter };
}
