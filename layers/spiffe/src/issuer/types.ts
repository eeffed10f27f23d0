import type { JoinVerifiers } from "../attestation/index.js";
import type { AuditDeps } from "../audit/index.js";
import type { AuthorityCache } from "../ca/index.js";
import type { Clock } from "../clock.js";
import type { TrustDomain } from "../spiffeid/index.js";
import type { Store, StoreFor, StorePart } from "../store/types.js";

/** TTL bounds of one kind of SVID, seconds. */
export interface TtlPolicy {
  defaultSeconds: number;
  maxSeconds: number;
}

/** The issuer's policy, from configuration. */
export interface IssuerPolicy {
  trustDomain: TrustDomain;
  /** Lifetime of a bot credential, seconds. */
  credentialTtlSeconds: number;
  x509Svid: TtlPolicy;
  jwtSvid: TtlPolicy;
  /** False when JWT-SVIDs are turned off (`TESSERA_JWT_SVIDS=false`): every JWT-SVID request is refused. Default true. */
  jwtSvids?: boolean;
  /** NotBefore is set this far in the past, for clock skew. */
  backdateSeconds: number;
  /** OIDC issuer URL: the `iss` of every JWT-SVID, and what the discovery document names; unset means no `iss`. */
  issuerUrl?: string;
}

/** What the issuer's use cases need; each names the store parts it uses (`IssuerDepsFor`), the whole `Store` by default. */
export interface IssuerDeps<S = Store> {
  store: S;
  authorities: AuthorityCache;
  clock: Clock;
  logger: AuditDeps["logger"];
  policy: IssuerPolicy;
  /** Platform join verifiers; production defaults (https only) when absent. */
  verifiers?: JoinVerifiers;
}

/** `IssuerDeps` whose store offers exactly `Parts` (a use case's `storeParts` declaration). */
export type IssuerDepsFor<Parts extends readonly StorePart[]> = IssuerDeps<StoreFor<Parts>>;

/** A bot credential as handed to a bot. */
export interface CredentialGrant {
  credential: string;
  botName: string;
  instanceId: string;
  generation: number;
  expiresAt: Date;
}
