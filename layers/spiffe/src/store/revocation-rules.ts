import type { Revocation, StoredCrl } from "./types.js";

/** The key a revocation is stored under: its kind and id (serials and `jti`s never collide across kinds). */
export function revocationKey(revocation: Pick<Revocation, "kind" | "id">): string {
  return `${revocation.kind}#${revocation.id}`;
}

/** Throw `TypeError` unless the revocation can be stored (ids, times, kind). */
export function assertRevocation(revocation: Revocation): void {
  if (revocation.kind !== "x509" && revocation.kind !== "jwt") throw new TypeError("store: revocation kind must be x509 or jwt");
  if (typeof revocation.id !== "string" || revocation.id === "") throw new TypeError("store: revocation needs an id");
  if (!Number.isSafeInteger(revocation.expiresAt) || !Number.isSafeInteger(revocation.revokedAt)) {
    throw new TypeError("store: revocation times must be integers");
  }
}

/** Throw `TypeError` unless the CRL can be stored. */
export function assertStoredCrl(crl: StoredCrl): void {
  if (typeof crl.caId !== "string" || !/^[0-9a-f]{2,128}$/.test(crl.caId)) throw new TypeError("store: CRL caId must be lowercase hex");
  if (!Number.isSafeInteger(crl.crlNumber) || crl.crlNumber < 1) throw new TypeError("store: CRL number must be a positive integer");
}
