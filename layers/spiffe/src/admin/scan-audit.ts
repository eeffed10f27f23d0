import type { AuditEvent, AuditFilter, AuditStore } from "../store/types.js";

/** How far `scanAudit` reads: events per store call, and in all. */
export interface AuditScanLimits {
  pageSize: number;
  cap: number;
}

/** What `scanAudit` read. */
export interface AuditScanResult {
  scanned: number;
  /** True when events were left past the cap (or `visit` stopped the scan early: false). */
  capped: boolean;
  /** The oldest event visited. */
  oldest?: AuditEvent;
}

/**
 * Read the audit events matching `filter` newest first, a page at a time through the store's
 * cursor, handing each to `visit` until it answers true (enough), none are left, or `cap` events
 * have been read. The last page the cap allows asks for one event more, to know whether any are left.
 */
export async function scanAudit(
  store: Pick<AuditStore, "listAudit">,
  filter: Omit<AuditFilter, "limit" | "before">,
  limits: AuditScanLimits,
  visit: (event: AuditEvent) => boolean | void,
): Promise<AuditScanResult> {
  let scanned = 0;
  let oldest: AuditEvent | undefined;
  for (;;) {
    const remaining = limits.cap - scanned;
    const want = Math.min(limits.pageSize, remaining);
    const cursor = oldest ? { before: { time: oldest.time, id: oldest.id } } : {};
    const page = await store.listAudit({ ...filter, limit: want === remaining ? want + 1 : want, ...cursor });
    const read = page.slice(0, want);
    for (const event of read) {
      scanned += 1;
      oldest = event;
      if (visit(event) === true) return { scanned, capped: false, oldest };
    }
    if (read.length < want) return { scanned, capped: false, ...(oldest ? { oldest } : {}) };
    if (scanned >= limits.cap) return { scanned, capped: page.length > want, ...(oldest ? { oldest } : {}) };
  }
}
