import { auditLimitOf } from "../record-rules.js";
import type { AuditEvent, AuditFilter } from "../types.js";
import {
  auditBotPartition,
  auditMonthPartition,
  auditSortKey,
  auditSpiffeIdPartition,
  fromItem,
  isInSpiffeIdIndex,
  monthsDescending,
  type Item,
} from "./items.js";
import { GSI1_NAME, GSI2_NAME, PARTITION_KEY, SORT_KEY } from "./table-schema.js";

/** One newest-first Query over an audit partition. */
export interface AuditQuery {
  IndexName?: string;
  KeyConditionExpression: string;
  FilterExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
  ScanIndexForward: false;
}

/** Runs a query, following pages until `want` items matched or the partition is exhausted. */
export type AuditQueryRunner = (query: AuditQuery, want: number) => Promise<Item[]>;

/** How far back events live and what time it is. */
export interface AuditWindow {
  now: number;
  retentionMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Month partitions read at once when walking back through time. */
const MONTHS_PER_BATCH = 4;

interface Partition {
  index?: string;
  pk: string;
  sk: string;
  value: string;
}

/** True when every event type `filter` can match is in the SPIFFE ID index (no SVID events). */
function onlyIndexedTypes(filter: AuditFilter): boolean {
  const types = filter.types ?? (filter.type === undefined ? undefined : [filter.type]);
  return types !== undefined && types.every(isInSpiffeIdIndex);
}

function choosePartition(filter: AuditFilter): Partition | undefined {
  if (filter.botName !== undefined) {
    return { index: GSI1_NAME, pk: "gsi1pk", sk: "gsi1sk", value: auditBotPartition(filter.botName) };
  }
  if (filter.spiffeId !== undefined && onlyIndexedTypes(filter)) {
    return { index: GSI2_NAME, pk: "gsi2pk", sk: "gsi2sk", value: auditSpiffeIdPartition(filter.spiffeId) };
  }
  return undefined;
}

/** The greatest sort key a page may hold: the `until` bound or the cursor's own key, whichever is lower. */
function upperSortKey(filter: AuditFilter): string | undefined {
  const keys = [
    filter.until === undefined ? undefined : auditSortKey(filter.until),
    filter.before && auditSortKey(filter.before.time, filter.before.id),
  ];
  const present = keys.filter((k): k is string => k !== undefined).sort();
  return present[0];
}

const isCursor = (filter: AuditFilter) => (item: Item) =>
  filter.before === undefined || item.sk !== auditSortKey(filter.before.time, filter.before.id);

function buildQuery(partition: Partition, filter: AuditFilter, since: number): AuditQuery {
  const names: Record<string, string> = { "#pk": partition.pk, "#sk": partition.sk };
  const values: Record<string, unknown> = { ":pk": partition.value, ":lo": auditSortKey(since) };
  let keyCondition = "#pk = :pk AND #sk >= :lo";
  // BETWEEN is inclusive: the cursor's own event matches and is dropped by `listAuditEvents`.
  const hi = upperSortKey(filter);
  if (hi !== undefined) {
    keyCondition = "#pk = :pk AND #sk BETWEEN :lo AND :hi";
    values[":hi"] = hi;
  }
  const filters: string[] = [];
  const addFilter = (attribute: string, value: unknown): void => {
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    filters.push(`#${attribute} = :${attribute}`);
  };
  if (filter.botName !== undefined && partition.index !== GSI1_NAME) addFilter("botName", filter.botName);
  if (filter.spiffeId !== undefined && partition.index !== GSI2_NAME) addFilter("spiffeId", filter.spiffeId);
  if (filter.type !== undefined) addFilter("type", filter.type);
  if (filter.types !== undefined) {
    names["#types"] = "type";
    filter.types.forEach((type, i) => (values[`:types${i}`] = type));
    filters.push(`#types IN (${filter.types.map((_t, i) => `:types${i}`).join(", ")})`);
  }
  return {
    ...(partition.index === undefined ? {} : { IndexName: partition.index }),
    KeyConditionExpression: keyCondition,
    ...(filters.length === 0 ? {} : { FilterExpression: filters.join(" AND ") }),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
  };
}

/**
 * Audit events matching `filter`, newest first. A bot filter reads that index partition, and so
 * does a SPIFFE ID filter whose types are all in the SPIFFE ID index (SVID events are not); otherwise the month partitions are read from the newest back, a few at a time,
 * until the limit is met or the retention window is exhausted.
 */
export async function listAuditEvents(run: AuditQueryRunner, filter: AuditFilter, window: AuditWindow): Promise<AuditEvent[]> {
  const limit = auditLimitOf(filter);
  const since = Math.max(filter.since ?? 0, window.now - window.retentionMs, 0);
  const until = Math.min(filter.until ?? Infinity, filter.before ? filter.before.time + 1 : Infinity);
  if (limit === 0 || until <= since || filter.types?.length === 0) return [];
  const keep = isCursor(filter);

  const indexed = choosePartition(filter);
  if (indexed !== undefined) {
    const items = (await run(buildQuery(indexed, filter, since), limit + 1)).filter(keep);
    return items.slice(0, limit).map((item) => fromItem<AuditEvent>(item));
  }

  const newest = Number.isFinite(until) ? until - 1 : window.now + DAY_MS;
  const months = monthsDescending(newest, since);
  const found: Item[] = [];
  for (let i = 0; i < months.length && found.length < limit; i += MONTHS_PER_BATCH) {
    const want = limit - found.length + 1;
    const batch = await Promise.all(
      months.slice(i, i + MONTHS_PER_BATCH).map((month) => {
        const partition = { pk: PARTITION_KEY, sk: SORT_KEY, value: auditMonthPartition(month) };
        return run(buildQuery(partition, filter, since), want);
      }),
    );
    for (const items of batch) found.push(...items.filter(keep));
  }
  return found.slice(0, limit).map((item) => fromItem<AuditEvent>(item));
}
