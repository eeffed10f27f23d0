import { X509Certificate, createHash } from "node:crypto";
import type { Bundle } from "#tessera/core";

/**
 * Why an X.509-SVID is renewed before half its life: the CA that signed it is gone from the bundle
 * (an emergency rotation: the SVID no longer verifies anywhere), is no longer the one signing
 * (rotation retired it), or ends before an SVID of the same lifetime would.
 */
export type EarlyRenewalReason = "authority_removed" | "authority_retiring" | "authority_ending";

/** When to renew early, why, and which CA (SHA-256 hex of its certificate) signed the SVID, if it is still in the bundle. */
export interface EarlyRenewal {
  reason: EarlyRenewalReason;
  at: number;
  signer?: string;
}

/** What the decision reads: the SVID held, the bundle, the issuer's active CA, the time. */
export interface EarlyRenewalInput {
  /** DER, leaf first. */
  certificates: readonly Uint8Array[];
  bundle: Bundle;
  /** SHA-256 (hex) of the active CA's certificate, when the issuer said. */
  activeX509Sha256?: string;
  now: number;
  random?: () => number;
}

/**
 * Renewals moved by a retiring CA are spread over one bundle refresh hint (agents learn of the change
 * spread over one already), at most this long, so agents do not all renew in one second.
 */
export const RETIRING_SPREAD_MS = 5 * 60_000;

const sha256 = (der: Uint8Array) => createHash("sha256").update(der).digest("hex");

/**
 * When the SVID should be renewed because of its CA, or undefined when its CA is fine. Removed: now.
 * Retiring: within the refresh hint, `RETIRING_SPREAD_MS` and a quarter of what the SVID has left, with jitter.
 * Ending: once the CA has less life left than the SVID's whole lifetime, when the bundle holds a CA
 * that lives longer (the successor), so a fresh SVID is not capped by the ending CA.
 */
export function earlyRenewalOf(input: EarlyRenewalInput): EarlyRenewal | undefined {
  const leaf = new X509Certificate(Buffer.from(input.certificates[0] as Uint8Array));
  const cas = input.bundle.x509Authorities.map((der) => ({ der, cert: new X509Certificate(Buffer.from(der)) }));
  const found = cas.find(({ cert }) => leaf.checkIssued(cert) && leaf.verify(cert.publicKey));
  if (!found) return { reason: "authority_removed", at: input.now };
  const signer = sha256(found.der);
  const svidEnd = Date.parse(leaf.validTo);
  if (input.activeX509Sha256 && input.activeX509Sha256 !== signer) {
    const hintMs = (input.bundle.refreshHintSeconds ?? Infinity) * 1000;
    const spread = Math.max(0, Math.min(RETIRING_SPREAD_MS, hintMs, (svidEnd - input.now) / 4));
    return { reason: "authority_retiring", at: input.now + Math.floor((input.random ?? Math.random)() * spread), signer };
  }
  const caEnd = Date.parse(found.cert.validTo);
  const successor = cas.some(({ cert }) => cert !== found.cert && Date.parse(cert.validTo) > caEnd);
  if (!successor) return undefined;
  return { reason: "authority_ending", at: caEnd - (svidEnd - Date.parse(leaf.validFrom)), signer };
}
