import type { Clock } from "../clock.js";
import type { KeyManager } from "../keymanager/types.js";
import type { Logger } from "../logger.js";
import type { Store, StoreFor, StorePart } from "../store/types.js";

/** One CA's CRL as handed to a publisher. */
export interface PublishedCrl {
  /** Subject key identifier (hex) of the CA that signed it. */
  caId: string;
  /** The CA's slot key id (`x509-ca-a` or `x509-ca-b`): a fixed name, so each publisher may write only two objects. */
  slotKeyId: string;
  /** DER of the CRL. */
  der: Uint8Array;
}

/**
 * A place CRLs are published to (beside the bundle): one idempotent method, so calling it again
 * with the same CRLs changes nothing.
 */
export interface CrlPublisher {
  /** A short name for logs, e.g. `aws_s3_crl`. */
  readonly name: string;
  /** Make the destination hold these CRLs. `changed` is false when it already did. */
  publishCrls(crls: readonly PublishedCrl[]): Promise<{ changed: boolean }>;
}

/** What revoking and CRL signing need; each names the store parts it uses (`RevocationDepsFor`). */
export interface RevocationDeps<S = Pick<Store, "listAudit" | "appendAudit" | "getJournal" | "revocations">> {
  /** The audit trail (who holds which serial or `jti` until when), the x509 journal and the revocations. */
  store: S;
  /** Holds the CA keys that sign CRLs. */
  keys: Pick<KeyManager, "getKey">;
  clock: Clock;
  logger: Pick<Logger, "info" | "warn" | "error">;
  crlPublishers: readonly CrlPublisher[];
  /** How far back an SVID can have been issued and still be live: the largest SVID TTL, seconds. */
  svidWindowSeconds: number;
}

/** `RevocationDeps` whose store offers exactly `Parts` (a use case's `storeParts` declaration). */
export type RevocationDepsFor<Parts extends readonly StorePart[]> = RevocationDeps<StoreFor<Parts>>;
