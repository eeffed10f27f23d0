import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CaJournal, JournalSlot } from "../store/types.js";
import { planRotation, type RotationPlan } from "./plan-rotation.js";
import type { RotationPolicy } from "./thresholds.js";

const T0 = Date.UTC(2030, 0, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const policy: RotationPolicy = { maxSvidTtlSeconds: 86_400, skewSeconds: 30, refreshHintSeconds: 300 };

function slot(slot: "a" | "b", status: JournalSlot["status"], fields: Partial<JournalSlot> = {}): JournalSlot {
  return { slot, status, keyId: `x509-ca-${slot}`, keyGeneration: 1, notBefore: T0, notAfter: T0 + 30 * DAY, preparedAt: T0, ...fields };
}

function journal(...slots: JournalSlot[]): CaJournal {
  return { kind: "x509", version: 3, slots, bundleSequence: 3, updatedAt: T0 };
}

const active = slot("a", "active", { activatedAt: T0 });
const preparedAtHalf = slot("b", "prepared", {
  keyGeneration: 2,
  notBefore: T0 + 15 * DAY,
  notAfter: T0 + 45 * DAY,
  preparedAt: T0 + 15 * DAY,
});
const activeB = slot("b", "active", { keyGeneration: 2, notBefore: T0 + 15 * DAY, notAfter: T0 + 45 * DAY, preparedAt: T0 + 15 * DAY });
const oldA = slot("a", "old", { activatedAt: T0, retiredAt: T0 + 25 * DAY });
// Retired at 25 d: the last SVID it signed is issued by 25 d + 60 s and lives 24 h; then 30 s of skew.
const oldADropAt = T0 + 25 * DAY + MIN + DAY + 30_000;

const prepareB = { type: "prepare", kind: "x509", slot: "b", keyGeneration: 2 } as const;
const activateB = { type: "activate", kind: "x509", slot: "b" } as const;
const dropA = { type: "drop", kind: "x509", slot: "a" } as const;

const requested = (j: CaJournal): CaJournal => ({ ...j, rotationRequestedAt: T0 });

const cases: [string, CaJournal, number, RotationPlan][] = [
  ["no active key: nothing to plan", journal(slot("b", "prepared")), T0 + 40 * DAY, { kind: "x509" }],
  [
    "active key before its prepare point (a day before a sixth of its life is left): prepare is next, then",
    journal(active),
    T0 + 24 * DAY - 1,
    { kind: "x509", next: { step: prepareB, at: T0 + 24 * DAY } },
  ],
  ["active key a day before its activation point: prepare the other slot", journal(active), T0 + 24 * DAY, { kind: "x509", due: prepareB }],
  [
    "a key so short-lived that a day before its activation point is before half-life: prepare at half-life",
    journal({ ...active, notAfter: T0 + 2 * DAY }),
    T0 + DAY - 1,
    { kind: "x509", next: { step: prepareB, at: T0 + DAY } },
  ],
  ["active key long expired: prepare", journal(active), T0 + 90 * DAY, { kind: "x509", due: prepareB }],
  [
    "prepared key: activation is next, when a sixth of the active key is left",
    journal(active, preparedAtHalf),
    T0 + 25 * DAY - 1,
    { kind: "x509", next: { step: activateB, at: T0 + 25 * DAY } },
  ],
  ["prepared key at the sixth: activate", journal(active, preparedAtHalf), T0 + 25 * DAY, { kind: "x509", due: activateB }],
  [
    "prepared late: waits until published six refresh hints (30 min)",
    journal(active, { ...preparedAtHalf, preparedAt: T0 + 25 * DAY }),
    T0 + 25 * DAY + 30 * MIN - 1,
    { kind: "x509", next: { step: activateB, at: T0 + 25 * DAY + 30 * MIN } },
  ],
  [
    "prepared late, published 30 min: activate",
    journal(active, { ...preparedAtHalf, preparedAt: T0 + 25 * DAY }),
    T0 + 25 * DAY + 30 * MIN,
    { kind: "x509", due: activateB },
  ],
  [
    "old key while its SVIDs may live: drop is next",
    journal(oldA, activeB),
    oldADropAt - 1,
    { kind: "x509", next: { step: dropA, at: oldADropAt } },
  ],
  ["old key once every SVID it signed has expired: drop", journal(oldA, activeB), oldADropAt, { kind: "x509", due: dropA }],
  [
    "old key bounded by its own notAfter (SVIDs never outlive their CA)",
    journal({ ...oldA, notAfter: T0 + 25 * DAY + HOUR }, activeB),
    T0 + 25 * DAY + HOUR + 30_000,
    { kind: "x509", due: dropA },
  ],
  [
    "old key blocks the next prepare even past half-life: never three keys",
    journal(oldA, { ...activeB, notBefore: T0, notAfter: T0 + 30 * DAY }),
    oldADropAt - 1,
    { kind: "x509", next: { step: dropA, at: oldADropAt } },
  ],
  [
    "after a drop the next generation goes into the freed slot",
    journal({ ...activeB, keyGeneration: 7 }),
    T0 + 39 * DAY,
    { kind: "x509", due: { type: "prepare", kind: "x509", slot: "a", keyGeneration: 8 } },
  ],
  ["rotate now: prepare at once", requested(journal(active)), T0 + HOUR, { kind: "x509", due: prepareB }],
  [
    "rotate now: activation still waits for six refresh hints of publication",
    requested(journal(active, { ...preparedAtHalf, preparedAt: T0 + HOUR })),
    T0 + HOUR + 30 * MIN - 1,
    { kind: "x509", next: { step: activateB, at: T0 + HOUR + 30 * MIN } },
  ],
  [
    "rotate now: activate once published long enough",
    requested(journal(active, { ...preparedAtHalf, preparedAt: T0 + HOUR })),
    T0 + HOUR + 30 * MIN,
    { kind: "x509", due: activateB },
  ],
  [
    "rotate now: an old key still in use blocks the prepare",
    requested(journal(oldA, activeB)),
    oldADropAt - 1,
    { kind: "x509", next: { step: dropA, at: oldADropAt } },
  ],
];

describe("planRotation", () => {
  for (const [name, j, now, expected] of cases) {
    it(name, () => assert.deepEqual(planRotation(j, policy, now), expected));
  }

  it("plans the JWT journal with its own kind and the JWT SVID maximum", () => {
    const jwtActive = { ...slot("b", "active"), keyId: "jwt-b" };
    const jwtOld = { ...slot("a", "old", { retiredAt: T0 + 25 * DAY }), keyId: "jwt-a" };
    const jwtPolicy = { ...policy, maxSvidTtlSeconds: 3600 };
    const plan = planRotation({ ...journal(jwtOld, jwtActive), kind: "jwt" }, jwtPolicy, T0 + 25 * DAY + MIN + HOUR + 30_000);
    assert.deepEqual(plan, { kind: "jwt", due: { type: "drop", kind: "jwt", slot: "a" } });
  });
});
