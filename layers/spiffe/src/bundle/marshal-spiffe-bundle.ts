import { createPublicKey, type JsonWebKey } from "node:crypto";
import type { JWK } from "jose";
import { BundleInvalidError } from "../errors.js";
import type { Bundle } from "./bundle.js";
import { createJwk } from "./create-jwk.js";
import { readCertificate } from "./read-certificate.js";

function jwtAuthorityJwk(kid: string, jwk: JWK): JWK {
  if (kid === "") throw new BundleInvalidError("bundle: a JWT authority has an empty kid");
  let publicKey;
  try {
    // Derives the public key even from a private JWK, so a private member can never be published.
    publicKey = createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
  } catch (err) {
    throw new BundleInvalidError(`bundle: JWT authority ${JSON.stringify(kid)} is not a valid public key`, { cause: err });
  }
  return createJwk(publicKey, "jwt-svid", kid);
}

/**
 * The SPIFFE bundle document (compact JSON): `spiffe_sequence` and `spiffe_refresh_hint` when set,
 * then the X.509 authorities in bundle order (`use`, `kty`, key members, `x5c`; no `kid`), then the
 * JWT authorities sorted by `kid`. Only public key members are ever written.
 */
export function marshalSpiffeBundle(bundle: Bundle): string {
  const keys: JWK[] = bundle.x509Authorities.map((der, i) => {
    const cert = readCertificate(der, `x509 authority ${i}`);
    return { ...createJwk(cert.publicKey, "x509-svid"), x5c: [Buffer.from(der).toString("base64")] };
  });
  const kids = [...bundle.jwtAuthorities.keys()].sort();
  for (const kid of kids) keys.push(jwtAuthorityJwk(kid, bundle.jwtAuthorities.get(kid)!));
  const doc: Record<string, unknown> = {};
  if (bundle.sequence !== undefined) doc.spiffe_sequence = bundle.sequence;
  if (bundle.refreshHintSeconds !== undefined) doc.spiffe_refresh_hint = bundle.refreshHintSeconds;
  doc.keys = keys;
  return JSON.stringify(doc);
}
