import type { JWK } from "jose";
import type { TrustDomain } from "../spiffeid/index.js";

/** Where JWT-SVID validation finds signing keys: by trust domain and `kid`. A `Bundle` is one. */
export interface JwtAuthoritySource {
  /** The public JWK with id `kid` in `trustDomain`, or undefined when there is none. */
  getJwtAuthority(trustDomain: TrustDomain, kid: string): JWK | undefined;
}
