import type { JoinVerifiers } from "../attestation/index.js";
import type { AuditDeps } from "../audit/index.js";
import type { AuthorityCache } from "../ca/index.js";
import type { Clock } from "../clock.js";
import type { TrustDomain } from "../spiffeid/index.js";
import type { Store } from "../store/types.js";

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
  /** NotBefore is set this far in the past, for clock skew. */
  backdateSeconds: number;
  /** OIDC issuer URL: the `iss` of every JWT-SVID, and what the discovery document names; unset means no `iss`. */
  issuerUrl?: string;
}

/** What the issuer's use cases need. */
export interface IssuerDeps {
  store: Store;
  authorities: AuthorityCache;
  clock: Clock;
  logger: AuditDeps["logger"];
  policy: IssuerPolicy;
  /** Platform join verifiers; production defaults (https only) when absent. */
  verifiers?: JoinVerifiers;
}

/** A bot credential as handed to a bot. */
export interface CredentialGrant {
  credential: string;
  botName: string;
  instanceId: string;
  generation: number;
  expiresAt: Date;
}
