import type { JWK } from "jose";
import type { TrustDomain } from "../spiffeid/index.js";

/** What a `Bundle` is made of. */
export interface BundleInit {
  trustDomain: TrustDomain;
  /** DER of each X.509 CA certificate. */
  x509Authorities?: Iterable<Uint8Array>;
  /** Public JWT-SVID signing keys by key id. */
  jwtAuthorities?: Iterable<readonly [string, JWK]>;
  /** `spiffe_sequence`: a non-negative integer that grows on every change. */
  sequence?: number;
  /** `spiffe_refresh_hint`: how often consumers should refetch, seconds. */
  refreshHintSeconds?: number;
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new TypeError(`bundle: ${name} must be a non-negative integer`);
  }
}

/**
 * A SPIFFE trust bundle: the X.509 CA certificates and JWT-SVID keys of one trust domain. It is
 * both an X.509 and a JWT authority source, answering only for its own trust domain.
 */
export class Bundle {
  readonly trustDomain: TrustDomain;
  readonly x509Authorities: Uint8Array[];
  readonly jwtAuthorities: Map<string, JWK>;
  readonly sequence?: number;
  readonly refreshHintSeconds?: number;

  constructor(init: BundleInit) {
    checkCount("sequence", init.sequence);
    checkCount("refreshHintSeconds", init.refreshHintSeconds);
    this.trustDomain = init.trustDomain;
    this.x509Authorities = [...(init.x509Authorities ?? [])];
    this.jwtAuthorities = new Map(init.jwtAuthorities ?? []);
    this.sequence = init.sequence;
    this.refreshHintSeconds = init.refreshHintSeconds;
  }

  /** The DER CA certificates of `trustDomain`, or undefined when it is not this bundle's trust domain. */
  getX509Authorities(trustDomain: TrustDomain): readonly Uint8Array[] | undefined {
    return this.trustDomain.equals(trustDomain) ? this.x509Authorities : undefined;
  }

  /** The JWT-SVID key `kid` of `trustDomain`, or undefined when there is none. */
  getJwtAuthority(trustDomain: TrustDomain, kid: string): JWK | undefined {
    return this.trustDomain.equals(trustDomain) ? this.jwtAuthorities.get(kid) : undefined;
  }
}
