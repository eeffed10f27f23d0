import type { JournalKind } from "../types.js";
import { CRLS_PARTITION } from "./dynamodb-revocations.js";
import { journalKey } from "./items.js";
import { PARTITION_KEY } from "./table-schema.js";

const JOURNAL_KINDS: readonly JournalKind[] = ["x509", "jwt"];

/**
 * The partition keys of the items whose change must reach the published bundle and CRLs: the CA and
 * JWT-key journals and the CRLs. The rotate function's stream filter passes only these.
 */
export const PUBLISHING_PARTITIONS: readonly string[] = [...JOURNAL_KINDS.map((kind) => journalKey(kind).pk), CRLS_PARTITION];

/** The Lambda event filter pattern (as JSON) that passes a stream record only when it changed one of `PUBLISHING_PARTITIONS`. */
export function publishingStreamFilterPattern(): string {
  return JSON.stringify({ dynamodb: { Keys: { [PARTITION_KEY]: { S: [...PUBLISHING_PARTITIONS] } } } });
}

/** The partition key of a DynamoDB stream record when it is one of `PUBLISHING_PARTITIONS`; undefined otherwise. */
export function publishingPartitionOf(record: unknown): string | undefined {
  const keys = (record as { dynamodb?: { Keys?: Record<string, { S?: unknown }> } } | null)?.dynamodb?.Keys;
  const pk = keys?.[PARTITION_KEY]?.S;
  return typeof pk === "string" && PUBLISHING_PARTITIONS.includes(pk) ? pk : undefined;
}
