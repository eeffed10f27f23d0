import type { JWTPayload } from "jose";
import type { SpiffeId } from "../spiffeid/index.js";

/** The JOSE header of a JWT-SVID. A validated token has no member besides these three. */
export interface JwtSvidHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [member: string]: unknown;
}

/** A parsed JWT-SVID. */
export interface JwtSvid {
  /** The `sub` claim. */
  spiffeId: SpiffeId;
  /** The `aud` claim, always as a list. */
  audience: string[];
  /** The `exp` claim. */
  expiresAt: Date;
  /** Every claim, as signed. */
  claims: JWTPayload;
  header: JwtSvidHeader;
}
