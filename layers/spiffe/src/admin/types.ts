import type { AuditLogger } from "../audit/index.js";
import type { Clock } from "../clock.js";
import type { TrustDomain } from "../spiffeid/index.js";
import type { Store } from "../store/types.js";

/** What the admin operations need. */
export interface AdminDeps {
  store: Store;
  clock: Clock;
  logger: AuditLogger;
  trustDomain: TrustDomain;
  /** Upper bound for a bot's `maxSvidTtlSeconds` and the default when none is given. */
  maxSvidTtlSeconds: number;
}

/** Who is calling: an IAM principal ARN in AWS, `local-admin` in the embedded default. */
export type AdminActor = string;
