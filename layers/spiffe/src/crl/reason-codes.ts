import type { RevocationReason } from "../store/types.js";

/** RFC 5280 5.3.1 CRLReason values of the reasons Tessera writes. */
export const REASON_CODES: Readonly<Record<RevocationReason, number>> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
};

/** Every reason an operator may give. */
export const REVOCATION_REASONS = Object.keys(REASON_CODES) as RevocationReason[];

/** The reason of a CRLReason value, undefined for one Tessera does not write (6 and above). */
export function reasonOfCode(code: number): RevocationReason | undefined {
  return REVOCATION_REASONS.find((reason) => REASON_CODES[reason] === code);
}

/** Extension OIDs of CRLs (RFC 5280 5.2.3 and 5.3.1). */
export const OID_CRL_NUMBER = "2.5.29.20";
export const OID_REASON_CODE = "2.5.29.21";
