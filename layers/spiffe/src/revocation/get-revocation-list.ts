import type { StoreFor, StoredCrl } from "../store/types.js";
import type { GET_REVOCATION_LIST_STORE } from "./store-parts.js";

/** What agents poll: the current CRLs (they verify each against the bundle) and the JWT-SVID deny-list. */
export interface RevocationList {
  crls: StoredCrl[];
  /** Revoked JWT-SVIDs that have not expired: refuse a token with one of these `jti`s until `expiresAt`. */
  deniedJwts: { jti: string; expiresAt: number }[];
}

/** The revocation list at `now`, read from the store. */
export async function getRevocationList(store: StoreFor<typeof GET_REVOCATION_LIST_STORE>, now: number): Promise<RevocationList> {
  const [crls, revocations] = await Promise.all([store.revocations.listCrls(), store.revocations.listRevocations(now)]);
  const deniedJwts = revocations.filter((r) => r.kind === "jwt").map((r) => ({ jti: r.id, expiresAt: r.expiresAt }));
  return { crls: crls.filter((crl) => crl.nextUpdate > now), deniedJwts };
}
