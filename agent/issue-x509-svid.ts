import { X509Certificate, generateKeyPairSync } from "node:crypto";
import { BotLockedError, createCsr, parseCertificates, SpiffeId } from "#tessera/core";
import { IssuerApiError, type X509SvidResponse } from "./issuer-client.js";
import type { X509Material, X509Want } from "./svid-material.js";

/** What the issuer is asked for one X.509-SVID (the `IssuerClient.fetchX509Svid` request). */
export interface X509SvidRequest {
  csr: string;
  spiffeId: string;
  ttlSeconds?: number;
  dnsNames?: string[];
}

/** One issuance: the X.509-SVID with its new key, and the X.509 authorities (DER) the issuer sent with it. */
export interface IssuedX509Svid {
  material: X509Material;
  x509Authorities: Uint8Array[];
}

/**
 * Get a new X.509-SVID for `want`: a fresh ECDSA P-256 key pair whose CSR `fetch` sends to the issuer.
 * Throws when the certificate that comes back is not for that key.
 */
export async function issueX509Svid(
  want: X509Want,
  fetch: (request: X509SvidRequest) => Promise<X509SvidResponse>,
): Promise<IssuedX509Svid> {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const csr = await createCsr({ privateKey, spiffeId: SpiffeId.fromString(want.spiffeId) });
  const res = await fetch({
    csr,
    spiffeId: want.spiffeId,
    ...(want.ttlSeconds ? { ttlSeconds: want.ttlSeconds } : {}),
    ...(want.dnsNames.length ? { dnsNames: want.dnsNames } : {}),
  });
  const certificates = res.certificates.flatMap((pem) => parseCertificates(pem));
  const leaf = new X509Certificate(Buffer.from(certificates[0] as Uint8Array));
  if (!leaf.checkPrivateKey(privateKey)) throw new Error("agent: the issued certificate does not match the key");
  return {
    material: {
      spiffeId: res.spiffe_id,
      certificates,
      privateKey: new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" })),
      issuedAt: Date.parse(leaf.validFrom),
      expiresAt: Date.parse(res.expires_at),
      serialNumber: res.serial_number,
    },
    x509Authorities: res.bundle.flatMap((pem) => parseCertificates(pem)),
  };
}

/** The log message for a failed issuance, saying whether the agent still serves a valid X.509-SVID meanwhile. */
export function describeIssueFailure(err: unknown, holdsValid: boolean): string {
  const then = holdsValid ? "serving the current one until it expires and retrying" : "none to serve yet; retrying";
  if (err instanceof IssuerApiError && err.code === BotLockedError.code)
    return `the bot or its instance is locked at the issuer: no X.509-SVID until it is unlocked; ${then}`;
  return `could not get the X.509-SVID; ${then}`;
}
