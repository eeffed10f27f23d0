import type { Clock } from "../clock.js";
import { RequestInvalidError } from "../errors.js";
import type { AuditEventType, StoreFor } from "../store/types.js";
import { scanAudit, type AuditScanLimits } from "./scan-audit.js";
import type { COUNT_ISSUANCE_STORE } from "./store-parts.js";

/** What counting issuance needs: the audit trail, read a page at a time, and the time. */
export interface IssuanceCountDeps {
  store: StoreFor<typeof COUNT_ISSUANCE_STORE>;
  clock: Clock;
  /** Events per store call and in all; the defaults are `ISSUANCE_PAGE_SIZE` and `ISSUANCE_SCAN_CAP`. */
  scan?: AuditScanLimits;
}

/** Query parameters of `countIssuance`, as they arrive in a URL (decimal text). */
export interface IssuanceCountQuery {
  /** Hours back from now, 1 to 168; default 24. */
  hours?: string;
  /** Minutes per bucket, 5 to 1440, dividing a day; default 60. */
  bucketMinutes?: string;
  /** Series per SPIFFE ID and per bot, the busiest first, 1 to 50; default 12. */
  top?: string;
}

/** SVIDs issued to one SPIFFE ID or one bot: the total and the count of every bucket. */
export interface IssuanceSeries {
  key: string;
  total: number;
  counts: number[];
}

/** SVIDs issued per time bucket, per SPIFFE ID and per bot, counted from the audit trail. */
export interface IssuanceCounts {
  /** Start of the first bucket, epoch ms. */
  since: number;
  /** End of the last bucket (exclusive), epoch ms. */
  until: number;
  bucketMs: number;
  /** Every SVID of each bucket, X.509 and JWT. */
  x509: number[];
  jwt: number[];
  /** The `top` busiest SPIFFE IDs and bots; `spiffeIds` and `bots` count them all. */
  perSpiffeId: IssuanceSeries[];
  perBot: IssuanceSeries[];
  spiffeIds: number;
  bots: number;
  /** Audit events read. */
  scanned: number;
  /**
   * True when the scan stopped at its cap before reaching `since`: the counts are then complete
   * only from `countedSince` on, and the buckets before it are undercounted.
   */
  capped: boolean;
  countedSince: number;
}

const SVID_TYPES: AuditEventType[] = ["x509_svid", "jwt_svid"];
const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;
/** Events read per store call. */
export const ISSUANCE_PAGE_SIZE = 5000;
/** Events read at most per answer; past it the answer says `capped`. */
export const ISSUANCE_SCAN_CAP = 20_000;

function integerIn(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  const n = value === undefined ? fallback : /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new RequestInvalidError(`admin: ${name} must be an integer from ${min} to ${max}`);
  return n;
}

// Counts per key and bucket, kept sparse (a key's buckets only where it has events), so memory
// follows the events read, never keys times buckets.
class Tally {
  readonly #series = new Map<string, Map<number, number>>();
  constructor(readonly buckets: number) {}

  add(key: string, bucket: number): void {
    let counts = this.#series.get(key);
    if (counts === undefined) this.#series.set(key, (counts = new Map()));
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }

  get size(): number {
    return this.#series.size;
  }

  top(n: number): IssuanceSeries[] {
    const totals = [...this.#series].map(([key, counts]) => ({ key, counts, total: [...counts.values()].reduce((a, b) => a + b, 0) }));
    return totals
      .sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1))
      .slice(0, n)
      .map(({ key, counts, total }) => ({ key, total, counts: Array.from({ length: this.buckets }, (_, b) => counts.get(b) ?? 0) }));
  }
}

/**
 * Count the X.509- and JWT-SVIDs issued over the last `hours`, per bucket (aligned to UTC
 * multiples of the bucket), per SPIFFE ID and per bot, by paging the audit trail newest first.
 * Reads at most `ISSUANCE_SCAN_CAP` events (`deps.scan`) and says when it stopped there.
 */
export async function countIssuance(deps: IssuanceCountDeps, query: IssuanceCountQuery = {}): Promise<IssuanceCounts> {
  const hours = integerIn(query.hours, "hours", 1, 168, 24);
  const bucketMinutes = integerIn(query.bucketMinutes, "bucket_minutes", 5, DAY_MINUTES, 60);
  if (DAY_MINUTES % bucketMinutes !== 0)
    throw new RequestInvalidError("admin: bucket_minutes must divide a day (5, 10, 15, 30, 60, 120, 360, 720, 1440, ...)");
  const top = integerIn(query.top, "top", 1, 50, 12);
  const bucketMs = bucketMinutes * MINUTE_MS;
  const buckets = Math.ceil((hours * 60) / bucketMinutes);
  const until = Math.floor(deps.clock.now().getTime() / bucketMs) * bucketMs + bucketMs;
  const since = until - buckets * bucketMs;

  const x509 = new Array<number>(buckets).fill(0);
  const jwt = new Array<number>(buckets).fill(0);
  const perSpiffeId = new Tally(buckets);
  const perBot = new Tally(buckets);
  const { scanned, capped, oldest } = await scanAudit(
    deps.store,
    { types: SVID_TYPES, since, until },
    deps.scan ?? { pageSize: ISSUANCE_PAGE_SIZE, cap: ISSUANCE_SCAN_CAP },
    (event) => {
      const bucket = Math.floor((event.time - since) / bucketMs);
      if (bucket < 0 || bucket >= buckets) return;
      (event.type === "jwt_svid" ? jwt : x509)[bucket]! += 1;
      perSpiffeId.add(event.spiffeId ?? "-", bucket);
      perBot.add(event.botName ?? "-", bucket);
    },
  );
  return {
    since,
    until,
    bucketMs,
    x509,
    jwt,
    perSpiffeId: perSpiffeId.top(top),
    perBot: perBot.top(top),
    spiffeIds: perSpiffeId.size,
    bots: perBot.size,
    scanned,
    capped,
    countedSince: capped && oldest ? oldest.time : since,
  };
}
