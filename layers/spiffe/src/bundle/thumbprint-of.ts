import { createHash, type JsonWebKey, type KeyObject } from "node:crypto";
import { publicJwkOf } from "../x509svid/key-type.js";

/** RFC 7638 section 3.2: the required members of each key type, in lexicographic order. */
const REQUIRED_MEMBERS: Record<string, readonly (keyof JsonWebKey)[]> = {
  EC: ["crv", "kty", "x", "y"],
  RSA: ["e", "kty", "n"],
  OKP: ["crv", "kty", "x"],
};

/**
 * The RFC 7638 SHA-256 JWK thumbprint of a public key, base64url: a stable key id and audit handle.
 * Computed in the calling thread (one JWK export, none for a key read from its SPKI, and one SHA-256
 * of about 150 bytes): WebCrypto's asynchronous digest costs more in its thread-pool round trip than the hash itself.
 */
export async function thumbprintOf(publicKey: KeyObject): Promise<string> {
  if (publicKey?.type !== "public") throw new TypeError("bundle: thumbprintOf needs a public KeyObject");
  const jwk = publicJwkOf(publicKey);
  const members = REQUIRED_MEMBERS[jwk.kty ?? ""];
  if (!members) throw new TypeError(`bundle: thumbprintOf cannot handle ${jwk.kty ?? "unknown"} keys`);
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash("sha256").update(canonical).digest("base64url");
}
