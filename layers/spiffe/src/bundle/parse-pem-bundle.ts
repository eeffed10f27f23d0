import { BundleInvalidError } from "../errors.js";
import { decodePem } from "../internal/der/pem.js";
import type { TrustDomain } from "../spiffeid/index.js";
import { Bundle } from "./bundle.js";
import { readCertificate } from "./read-certificate.js";

function invalid(message: string): BundleInvalidError {
  return new BundleInvalidError(`bundle: ${message}`);
}

/**
 * Parse a PEM bundle (concatenated `CERTIFICATE` blocks, as in `svid_bundle.pem`) into a bundle
 * of X.509 authorities for `trustDomain`. Any other block type, bad base64 or bad DER throws
 * `BundleInvalidError`; empty or blank input gives an empty bundle.
 */
export function parsePemBundle(pem: string, trustDomain: TrustDomain): Bundle {
  if (typeof pem !== "string") throw new TypeError("bundle: PEM bundle must be a string");
  const blocks = decodePem(pem, invalid);
  if (blocks.length === 0 && pem.trim() !== "") throw invalid("no PEM certificate found");
  const authorities = new Map<string, Uint8Array>();
  for (const { label, der, line } of blocks) {
    const where = `PEM block at line ${line}`;
    if (label !== "CERTIFICATE") throw invalid(`${where} is "${label}", not "CERTIFICATE"`);
    readCertificate(der, where);
    authorities.set(Buffer.from(der).toString("base64"), der);
  }
  return new Bundle({ trustDomain, x509Authorities: authorities.values() });
}
