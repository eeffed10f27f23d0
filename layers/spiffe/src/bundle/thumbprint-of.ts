import type { KeyObject } from "node:crypto";
import { calculateJwkThumbprint, exportJWK } from "jose";

/** The RFC 7638 SHA-256 JWK thumbprint of a public key, base64url: a stable key id and audit handle. */
export async function thumbprintOf(publicKey: KeyObject): Promise<string> {
  if (publicKey?.type !== "public") throw new TypeError("bundle: thumbprintOf needs a public KeyObject");
  return calculateJwkThumbprint(await exportJWK(publicKey), "sha256");
}
