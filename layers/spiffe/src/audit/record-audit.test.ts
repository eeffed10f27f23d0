import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuditEvent } from "../store/types.js";
import { recordAudit, timeOrderedUuid } from "./record-audit.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("timeOrderedUuid", () => {
  it("is a version 7 UUID holding the time in its first 48 bits", () => {
    const time = Date.UTC(2026, 10, 30, 12, 0, 0, 123);
    const id = timeOrderedUuid(time);
    assert.match(id, UUID_V7);
    assert.equal(parseInt(id.replace("-", "").slice(0, 12), 16), time);
  });

  it("sorts by time, and differs between events of one millisecond", () => {
    const times = [0, 1, 255, 256, Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1, 2 ** 48 - 1];
    const ids = times.map(timeOrderedUuid);
    assert.deepEqual([...ids].sort(), ids);
    const sameMillisecond = new Set(Array.from({ length: 1000 }, () => timeOrderedUuid(times[4]!)));
    assert.equal(sameMillisecond.size, 1000);
  });

  it("falls back to a version 4 UUID for a time a UUID cannot hold", () => {
    for (const time of [-1, 2 ** 48, 1.5, Number.NaN]) assert.match(timeOrderedUuid(time), /^[0-9a-f-]{14}4/);
  });
});

describe("recordAudit", () => {
  it("stores and logs the event under a time-ordered id", async () => {
    const stored: AuditEvent[] = [];
    const logged: Record<string, unknown>[] = [];
    const time = Date.UTC(2026, 10, 30);
    const event = await recordAudit(
      {
        audit: { appendAudit: async (e) => void stored.push(e) },
        logger: { info: (_message, fields) => void logged.push(fields ?? {}), error: () => undefined },
      },
      { type: "x509_svid", time, botName: "web" },
    );
    assert.match(event.id, UUID_V7);
    assert.equal(event.id.slice(0, 8), time.toString(16).padStart(12, "0").slice(0, 8));
    assert.deepEqual(stored, [event]);
    assert.deepEqual(logged, [{ audit_type: "x509_svid", audit_event: event }]);
  });
});
