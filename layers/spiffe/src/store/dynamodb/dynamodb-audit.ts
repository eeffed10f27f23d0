import type { Clock } from "../../clock.js";
import { StoreConflictError } from "../../errors.js";
import { assertAuditEvent } from "../record-rules.js";
import type { AuditEvent, AuditFilter, AuditStore } from "../types.js";
import { listAuditEvents, type AuditQuery } from "./audit-query.js";
import { auditItem, type Item } from "./items.js";
import type { TableClient } from "./table-client.js";

/** The audit trail in the store's table: month partitions, by bot (gsi1) and by SPIFFE ID (gsi2), TTL at the retention. */
export class DynamoDbAudit implements AuditStore {
  readonly #table: TableClient;
  readonly #retentionMs: number;
  readonly #clock: Clock;

  constructor(table: TableClient, retentionMs: number, clock: Clock) {
    this.#table = table;
    this.#retentionMs = retentionMs;
    this.#clock = clock;
  }

  /** Append an audit event; `StoreConflictError` if that event is stored already. */
  async appendAudit(event: AuditEvent): Promise<void> {
    assertAuditEvent(event);
    await this.#table.put(
      "appendAudit",
      { Item: auditItem(event, this.#retentionMs), ConditionExpression: "attribute_not_exists(pk)" },
      () => new StoreConflictError(`store: audit event ${event.id} exists`),
    );
  }

  /** Events matching `filter`, newest first, within the retention window. */
  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const run = (query: AuditQuery, want: number): Promise<Item[]> => this.#table.query("listAudit", query, want);
    return listAuditEvents(run, filter, { now: this.#clock.now().getTime(), retentionMs: this.#retentionMs });
  }
}
