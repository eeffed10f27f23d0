import type { KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { KeyUnsupportedError } from "../errors.js";

/** The `use` values of the SPIFFE bundle's JWKs: which kind of SVID a key authenticates. */
export type BundleKeyUse = "x509-svid" | "jwt-svid";

const CURVES = new Set(["P-256", "P-384", "P-521"]);

function checkArguments(publicKey: KeyObject, use: BundleKeyUse, kid: string | undefined): void {
  if (publicKey?.type !== "public") throw new TypeError("bundle: createJwk needs a public KeyObject");
  if (use !== "x509-svid" && use !== "jwt-svid") throw new TypeError(`bundle: unknown key use ${String(use)}`);
  if (use === "x509-svid" && kid !== undefined) throw new TypeError("bundle: x509-svid keys carry no kid");
  if (kid !== undefined && (typeof kid !== "string" || kid === "")) {
    throw new TypeError("bundle: kid must be a non-empty string");
  }
}

/**
 * The public JWK of a key for a SPIFFE bundle, members in a fixed order (`use`, `kty`, `kid`, then
 * the key's own members). EC keys on P-256, P-384 or P-521 and RSA keys only.
 */
export function createJwk(publicKey: KeyObject, use: BundleKeyUse, kid?: string): JWK {
  checkArguments(publicKey, use, kid);
  const type = publicKey.asymmetricKeyType;
  if (type !== "ec" && type !== "rsa") throw new KeyUnsupportedError(`bundle: unsupported key type ${String(type)}`);
  const exported = publicKey.export({ format: "jwk" });
  const jwk: JWK = { use, kty: exported.kty };
  if (kid !== undefined) jwk.kid = kid;
  if (type === "ec") {
    if (exported.crv === undefined || !CURVES.has(exported.crv)) {
      throw new KeyUnsupportedError(`bundle: unsupported curve ${String(exported.crv)}`);
    }
    Object.assign(jwk, { crv: exported.crv, x: exported.x, y: exported.y });
  } else {
    Object.assign(jwk, { n: exported.n, e: exported.e });
  }
  return jwk;
}
