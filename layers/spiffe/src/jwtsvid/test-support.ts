// Test-only token forging for the jwtsvid tests: any header and claims, signed by any JWS algorithm
// (HMAC included, for the algorithm-confusion attacks) with node:crypto, independent of the code
// under test.
import { constants, createHmac, sign, type KeyObject } from "node:crypto";

/** Signs a JWS signing input. */
export type Signer = (input: Buffer) => Buffer;

/** A signer for `alg` (HS*, ES*, PS* or RS*) with `key` (a secret for HS*). */
export function signerFor(alg: string, key: KeyObject | Buffer): Signer {
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith("HS"))
    return (input) =>
      createHmac(hash, key as Buffer)
        .update(input)
        .digest();
  if (alg.startsWith("ES")) return (input) => sign(hash, input, { key: key as KeyObject, dsaEncoding: "ieee-p1363" });
  if (alg.startsWith("PS")) {
    return (input) =>
      sign(hash, input, { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  }
  return (input) => sign(hash, input, key as KeyObject);
}

/** base64url of a string as is, or of anything else as JSON. */
export const b64 = (value: unknown): string => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A compact JWS of `header` and `claims`, signed by `signer`. */
export function forge(header: Record<string, unknown>, claims: Record<string, unknown>, signer: Signer): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${signer(Buffer.from(input)).toString("base64url")}`;
}
