/** Revoked SVIDs, the CRLs signed over them, and the parts of the store that hold them. */

/** Why an SVID was revoked: the RFC 5280 CRLReason names an operator may give. */
export type RevocationReason =
  "unspecified" | "keyCompromise" | "cACompromise" | "affiliationChanged" | "superseded" | "cessationOfOperation";

/** A revoked SVID, kept until it expires (then no relying party accepts it anyway). */
export interface Revocation {
  kind: "x509" | "jwt";
  /** The X.509 serial (lowercase hex) or the JWT `jti`. */
  id: string;
  /** X.509: the subject key identifier (hex) of the CA that signed it; absent when not recorded (every CA's CRL lists it). */
  caId?: string;
  /** X.509: RFC 7638 thumbprint of the SVID's public key; a CSR for that key is refused while the revocation lives. */
  keyThumbprint?: string;
  /** When the SVID itself expires. */
  expiresAt: number;
  revokedAt: number;
  reason: RevocationReason;
  revokedBy: string;
  botName?: string;
  instanceId?: string;
}

/** The last CRL signed for one CA. */
export interface StoredCrl {
  /** Subject key identifier (hex) of the CA that signed it. */
  caId: string;
  /** The CRL number extension: increases with every CRL of this CA. */
  crlNumber: number;
  /** DER, base64. */
  der: string;
  thisUpdate: number;
  nextUpdate: number;
}

/** Reads revocations and CRLs. */
export interface RevocationReader {
  /** Every revocation whose SVID has not expired at `now`. */
  listRevocations(now: number): Promise<Revocation[]>;
  /** Whether an unexpired X.509 revocation names this key thumbprint. */
  isKeyRevoked(keyThumbprint: string, now: number): Promise<boolean>;
  /** The last CRL of every CA that has one. */
  listCrls(): Promise<StoredCrl[]>;
}

/** Records revocations and CRLs. */
export interface RevocationWriter {
  /** Record revocations; one already recorded and unexpired keeps its first record. Returns those newly recorded. */
  addRevocations(revocations: Revocation[]): Promise<Revocation[]>;
  /** Store a CRL if its number is above the stored one of its CA; `StoreConflictError` otherwise. */
  putCrl(crl: StoredCrl): Promise<void>;
}

/** Revoked SVIDs and the CRLs signed over them: both revocation parts. */
export interface RevocationStore extends RevocationReader, RevocationWriter {}
