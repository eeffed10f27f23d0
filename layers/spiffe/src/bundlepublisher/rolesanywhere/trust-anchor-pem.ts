import { marshalPemBundle, type Bundle } from "../../bundle/index.js";
import { parseCertificates } from "../../x509svid/index.js";
import { TrustAnchorLimitError } from "../errors.js";

/** CA certificates one IAM Roles Anywhere trust anchor holds at most. */
export const MAX_TRUST_ANCHOR_CERTIFICATES = 2;
/** Characters of PEM one IAM Roles Anywhere trust anchor holds at most. */
export const MAX_TRUST_ANCHOR_PEM_CHARACTERS = 8000;

/**
 * The PEM a trust anchor should hold for `bundle`: its X.509 authorities. Refuses (with
 * `TrustAnchorLimitError`) a bundle with no CA, more than two, or more than 8,000 characters of
 * PEM, rather than letting Roles Anywhere hold a partial set.
 */
export function trustAnchorPemOf(bundle: Bundle): string {
  const count = bundle.x509Authorities.length;
  if (count === 0) throw new TrustAnchorLimitError("bundlepublisher: the bundle has no X.509 authority for the trust anchor");
  if (count > MAX_TRUST_ANCHOR_CERTIFICATES) {
    throw new TrustAnchorLimitError(
      `bundlepublisher: the bundle has ${count} X.509 authorities; a Roles Anywhere trust anchor holds at most ${MAX_TRUST_ANCHOR_CERTIFICATES}`,
    );
  }
  const pem = marshalPemBundle(bundle);
  if (pem.length > MAX_TRUST_ANCHOR_PEM_CHARACTERS) {
    throw new TrustAnchorLimitError(
      `bundlepublisher: the bundle's PEM is ${pem.length} characters; a Roles Anywhere trust anchor holds at most ${MAX_TRUST_ANCHOR_PEM_CHARACTERS}`,
    );
  }
  return pem;
}

function certificateSet(pem: string): string[] | undefined {
  try {
    return parseCertificates(pem)
      .map((der) => Buffer.from(der).toString("base64"))
      .sort();
  } catch {
    return undefined;
  }
}

/** Whether two PEM texts hold the same certificates, whatever their line breaks or order. */
export function sameCertificates(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  if (a === b) return certificateSet(a) !== undefined;
  const left = certificateSet(a);
  const right = certificateSet(b);
  return left !== undefined && right !== undefined && left.length === right.length && left.every((der, i) => der === right[i]);
}
