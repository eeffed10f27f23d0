import type { RevocationReason } from "../store/types.js";
import type { AlgorithmIdentifier } from "../x509svid/signature-algorithm.js";

/** One revoked certificate in a CRL. */
export interface RevokedCertificate {
  /** Serial number, lowercase hex of its unsigned value. */
  serialNumber: string;
  revocationDate: Date;
  /** The reasonCode entry extension; `unspecified` is written as no reason code (RFC 5280 5.3.1). */
  reason?: RevocationReason;
}

/** What a CRL says, after `parseCrl`. Not yet verified. */
export interface ParsedCrl {
  der: Uint8Array;
  tbsDer: Uint8Array;
  /** 1 for v2. */
  version: number;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  issuerDer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  revoked: RevokedCertificate[];
  crlNumber?: bigint;
  /** The keyIdentifier of the authorityKeyIdentifier extension. */
  authorityKeyId?: Uint8Array;
}
