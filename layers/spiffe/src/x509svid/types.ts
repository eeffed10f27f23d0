import type { KeyObject } from "node:crypto";
import type { SigningKey } from "../keymanager/types.js";
import type { SpiffeId, TrustDomain } from "../spiffeid/spiffe-id.js";

/**
 * Where `verifyX509Svid` finds the X.509 authorities (DER CA certificates) of a trust domain; as
 * go-spiffe's `x509bundle.Source`. Undefined when the trust domain is unknown.
 */
export interface X509AuthoritySource {
  getX509Authorities(trustDomain: TrustDomain): readonly Uint8Array[] | undefined;
}

/** Key types Tessera accepts for an X.509-SVID (what IAM Roles Anywhere and common TLS stacks take). */
export type CsrKeyType = "EC-P256" | "EC-P384" | "RSA-2048" | "RSA-3072" | "RSA-4096";

/** Options of `createCaCertificate`. */
export interface CreateCaCertificateOptions {
  /** The CA's key; it signs its own certificate. */
  key: SigningKey;
  trustDomain: TrustDomain;
  notBefore: Date;
  notAfter: Date;
  /** At most 61 characters; default `Tessera CA <trust domain>`, truncated to fit. */
  commonName?: string;
  /** Positive, at most 20 octets; default 16 random octets. */
  serialNumber?: bigint;
}

/** Options of `signX509Svid`. */
export interface SignX509SvidOptions {
  caKey: SigningKey;
  /** DER of the CA certificate `caKey` belongs to. */
  caCertificate: Uint8Array;
  /** The SVID's SPIFFE ID: non-root path, in the CA's trust domain. */
  spiffeId: SpiffeId;
  /** The workload's public key, as a KeyObject or DER SubjectPublicKeyInfo. */
  publicKey: KeyObject | Uint8Array;
  /** Backdating for clock skew is the caller's choice. */
  notBefore: Date;
  /** Clipped to the CA certificate's notAfter. */
  notAfter: Date;
  /** Extra DNS SANs, each a hostname (a leading `*.` wildcard label is allowed). */
  dnsNames?: readonly string[];
  /** At most 61 characters; default the SPIFFE ID, or its last path segment when the ID is longer. */
  commonName?: string;
  /** Positive, at most 20 octets; default 16 random octets. */
  serialNumber?: bigint;
}

/** Result of `signX509Svid`. */
export interface SignX509SvidResult {
  /** DER of the leaf certificate. */
  certificate: Uint8Array;
  /** The serial number as lowercase hex of its unsigned value (even length, as openssl prints it). */
  serialNumber: string;
  /** The leaf's notAfter, after clipping to the CA and truncation to whole seconds. */
  notAfter: Date;
}

/** Result of `parseCsr`: what a validated CSR offers. */
export interface ParseCsrResult {
  publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo of `publicKey`. */
  spki: Uint8Array;
  keyType: CsrKeyType;
  /**
   * The URI SANs the CSR asks for, unvalidated: the issuer takes the SPIFFE ID from the request and
   * never from the CSR. Absent when the CSR asks for none.
   */
  requestedSpiffeIds?: string[];
}

/** Options of `verifyX509Svid`. */
export interface VerifyX509SvidOptions {
  /** The time at which every certificate must be valid; default the system clock. */
  now?: Date;
}

/** Result of `verifyX509Svid`. */
export interface VerifyX509SvidResult {
  spiffeId: SpiffeId;
  /** DER: the leaf, the intermediates used, then the authority that anchors the chain. */
  verifiedChain: Uint8Array[];
}
