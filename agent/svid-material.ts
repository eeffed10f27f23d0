/** What the agent asks for and holds: wanted X.509-SVIDs, issued X.509-SVIDs with their keys, JWT-SVIDs, and which are revoked. */

/** One X.509-SVID the agent keeps fresh. */
export interface X509Want {
  spiffeId: string;
  dnsNames: string[];
  ttlSeconds?: number;
}

/** An X.509-SVID with its key, as held by the agent. */
export interface X509Material {
  spiffeId: string;
  /** DER, leaf first. */
  certificates: Uint8Array[];
  /** PKCS#8 DER. */
  privateKey: Uint8Array;
  issuedAt: number;
  expiresAt: number;
  serialNumber: string;
}

/** A JWT-SVID, as held by the agent. */
export interface JwtMaterial {
  spiffeId: string;
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** Which held SVIDs the issuer has revoked (its CRLs and JWT-SVID deny-list, as the agent last verified them). */
export interface RevokedSvids {
  x509(material: X509Material): boolean;
  jwt(token: string): boolean;
}
