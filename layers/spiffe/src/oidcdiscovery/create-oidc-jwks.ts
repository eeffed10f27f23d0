import { createPublicKey, type JsonWebKey } from "node:crypto";
import type { JWK } from "jose";
import { createJwk, type Bundle } from "../bundle/index.js";
import { BundleInvalidError } from "../errors.js";

/** A JWK as OIDC relying parties read it: its `kty`, `kid`, `use: sig` and the one `alg` the key signs with. */
export type OidcJwk = JWK & { kty: string; kid: string; use: "sig"; alg: string };

/** The JWK Set an OIDC issuer publishes at its `jwks_uri`. */
export interface OidcJwks {
  keys: OidcJwk[];
}

const EC_ALGORITHMS: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

/** The JWS algorithm Tessera signs JWT-SVIDs with for a key: the curve's ES algorithm, or RS256 for RSA. */
function algorithmOf(jwk: JWK, kid: string): string {
  const alg = jwk.kty === "RSA" ? "RS256" : EC_ALGORITHMS[jwk.crv ?? ""];
  if (alg === undefined) throw new BundleInvalidError(`oidcdiscovery: JWT authority ${JSON.stringify(kid)} has no JWS algorithm`);
  return alg;
}

/**
 * The bundle's JWT-SVID keys as an OIDC JWK Set: every prepared, active and old key (so a key is
 * listed before it signs and until its last token expires), sorted by `kid`, public members only.
 */
export function createOidcJwks(bundle: Bundle): OidcJwks {
  const kids = [...bundle.jwtAuthorities.keys()].sort();
  const keys = kids.map((kid): OidcJwk => {
    // Re-derived from the public key, so a private member of the stored JWK can never be published.
    const publicKey = createPublicKey({ key: bundle.jwtAuthorities.get(kid) as JsonWebKey, format: "jwk" });
    const jwk = createJwk(publicKey, "jwt-svid", kid);
    // createJwk sets kty on every key it makes (EC or RSA); JWK's type leaves it optional.
    return { ...jwk, kty: jwk.kty as string, kid, use: "sig", alg: algorithmOf(jwk, kid) };
  });
  return { keys };
}
