import type { JoinRuleValidators } from "../attestation/index.js";
import type { AuditDeps } from "../audit/index.js";
import type { Clock } from "../clock.js";
import type { IssuerPolicy } from "../issuer/types.js";
import type { TrustDomain } from "../spiffeid/index.js";
import type { EmergencyRotationDeps, RotationPolicy } from "../rotation/index.js";
import type { JournalKind, Store, StoreFor, StorePart } from "../store/types.js";
import type { TrustAnchorSource } from "./ca-trust-anchor.js";

/** What the admin operations need; each names the store parts it uses (`AdminDepsFor`), the whole `Store` by default. */
export interface AdminDeps<S = Store> {
  store: S;
  clock: Clock;
  logger: AuditDeps["logger"];
  trustDomain: TrustDomain;
  /** Upper bound for a bot's `maxSvidTtlSeconds` and the default when none is given. */
  maxSvidTtlSeconds: number;
  /** The rotation timing of each key kind; `getCaStatus` shows the schedule when it is set. */
  rotationPolicy?: Record<JournalKind, RotationPolicy>;
  /** The issuer's policy, so a policy check decides as real requests do. */
  issuerPolicy: IssuerPolicy;
  /**
   * The rotation tick's parts (key manager, publishers), where this process may make keys and publish
   * the bundle: `tessera dev` and the admin function. Emergency rotations need it.
   */
  rotation?: EmergencyRotationDeps;
  /**
   * What checks each platform join method's rules (`createJoinRuleValidators`, or the verifiers, which
   * run the same checks); production defaults (https only) when absent.
   */
  verifiers?: JoinRuleValidators;
  /** The Roles Anywhere trust anchor, where one is configured: the CA page shows its state. */
  trustAnchor?: TrustAnchorSource;
}

/** `AdminDeps` whose store offers exactly `Parts` (a use case's `storeParts` declaration). */
export type AdminDepsFor<Parts extends readonly StorePart[]> = AdminDeps<StoreFor<Parts>>;

/** Who is calling: an IAM principal ARN in AWS, `local-admin` in the embedded default. */
export type AdminActor = string;
