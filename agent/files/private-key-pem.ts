import { createPrivateKey } from "node:crypto";

/** The PKCS#8 PEM of a DER PKCS#8 private key, for files that programs read. */
export function privateKeyPem(der: Uint8Array): string {
  return createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" }).export({ format: "pem", type: "pkcs8" }) as string;
}
