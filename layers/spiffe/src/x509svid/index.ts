/**
 * x509svid: X.509-SVIDs as the X509-SVID standard defines them, held to what IAM Roles Anywhere
 * also demands (v3, SHA-256+, a non-empty Subject with a CN of at most 61 characters).
 *
 * - `createCaCertificate`: a self-signed signing certificate for a trust domain.
 * - `parseCsr`: a workload's CSR, validated (well-formed, proof of possession, key allowed, no CA request).
 * - `signX509Svid`: the signing step: a leaf SVID signed by the CA key, re-validated before it is
 *   returned (the issuer's `issueX509SvidForBot` is the use case around it).
 * - `validateX509SvidProfile`, `validateCaProfile`: the profile rules alone, on one DER certificate.
 * - `verifyX509Svid`: a chain against the authorities of the leaf's trust domain (go-spiffe's `Verify`).
 * - `encodeCertificatePem`, `parseCertificates`: PEM out and PEM/DER in.
 *
 * Certificates are written with the DER writer of `internal/der` and signed through
 * `SigningKey.sign`, so a KMS key signs them with one call; building, signing and re-validating are
 * separate steps. Every certificate, Tessera's own or from elsewhere, is read once by one strict
 * parser (`certificate.ts`, over the DER reader of `internal/der`), and every check reads that view:
 * one leaf profile, one CA profile; re-validation is the profile plus "is what was asked for".
 */
export { createCaCertificate } from "./create-ca-certificate.js";
export { createCsr, type CreateCsrOptions } from "./create-csr.js";
export { normalizeDnsName, validateDnsNames } from "./dns-name.js";
export { parseCsr } from "./parse-csr.js";
export { encodeCertificatePem, parseCertificates } from "./pem.js";
export { signX509Svid } from "./sign-x509-svid.js";
export { validateCaProfile, validateX509SvidProfile } from "./validate-profile.js";
export { verifyX509Svid } from "./verify-x509-svid.js";
export type {
  CreateCaCertificateOptions,
  CsrKeyType,
  SignX509SvidOptions,
  SignX509SvidResult,
  ParseCsrResult,
  VerifyX509SvidOptions,
  VerifyX509SvidResult,
  X509AuthoritySource,
} from "./types.js";
