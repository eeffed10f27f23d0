import type { KeyObject } from "node:crypto";
import type { Clock } from "../clock.js";
import type { KeyManager, KeyRetirer, KeySpec, SigningKey } from "../keymanager/types.js";
import type { TrustDomain } from "../spiffeid/index.js";
import type { JournalStore, ReplayWriter } from "../store/types.js";

/** How Tessera's authorities are made. */
export interface AuthorityPolicy {
  trustDomain: TrustDomain;
  /** Key spec of new CA and JWT keys. */
  keySpec: KeySpec;
  /** Lifetime of a CA certificate, seconds. */
  caTtlSeconds: number;
  /** Lifetime of a JWT signing key, seconds. */
  jwtKeyTtlSeconds: number;
  /** False when JWT-SVIDs are turned off (`TESSERA_JWT_SVIDS=false`): no JWT key is made. Default true. */
  jwtSvids?: boolean;
}

/** What the authority functions need. */
export interface AuthorityDeps {
  /** The keys; a dropped slot's key is retired at once (`KeyRetirer`). */
  keys: KeyManager & KeyRetirer;
  journals: JournalStore;
  /** Used as a lease so that two processes never make the first authority at once. */
  leases: ReplayWriter;
  clock: Clock;
}

/** `AuthorityDeps` with its journals and leases in one store `S` (the runtime's whole store, or a function's parts of it). */
export type AuthorityDepsOver<S> = Omit<AuthorityDeps, "journals" | "leases"> & { journals: S; leases: S };

/** The X.509 CA that signs SVIDs now. */
export interface X509Authority {
  key: SigningKey;
  /** DER of the CA certificate. */
  certificate: Uint8Array;
  notAfter: Date;
}

/** The key that signs JWT-SVIDs now. */
export interface JwtAuthority {
  key: SigningKey;
  kid: string;
  publicKey: KeyObject;
  notAfter: Date;
}
