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
  [
    "no active key but a prepared one (turned on again): activate it at once, as the first key is",
    journal(slot("b", "prepared")),
    T0 + 40 * DAY,
    { kind: "x509", due: activateB },
  ],
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

describe("planRotation of a kind turned off, then on again", () => {
  const off: RotationPolicy = { ...policy, maxSvidTtlSeconds: 3600, disabled: true };
  const on: RotationPolicy = { ...policy, maxSvidTtlSeconds: 3600 };
  const jwt = (...slots: JournalSlot[]): CaJournal => ({ ...journal(...slots), kind: "jwt" });
  const jwtSlot = (name: "a" | "b", status: JournalSlot["status"], fields: Partial<JournalSlot> = {}) => ({
    ...slot(name, status, fields),
    keyId: `jwt-${name}`,
  });
  const switchedAt = T0 + 3 * DAY;
  // Retired at the switch: the last JWT-SVID it signed is issued by then + 60 s and lives 1 h; then 30 s of skew.
  const droppableAt = switchedAt + MIN + HOUR + 30_000;
  const oldJwtA = jwtSlot("a", "old", { activatedAt: T0, retiredAt: switchedAt });
  const cases: [string, CaJournal, RotationPolicy, number, RotationPlan][] = [
    ["off, no key: nothing, ever", jwt(), off, T0 + 90 * DAY, { kind: "jwt" }],
    [
      "off, an active key: it stops signing at once (deactivate), whatever its age",
      jwt(jwtSlot("a", "active", { activatedAt: T0 })),
      off,
      switchedAt,
      { kind: "jwt", due: { type: "deactivate", kind: "jwt", slot: "a" } },
    ],
    [
      "off, a prepared key (it never signed): dropped at once, before the active one is deactivated",
      jwt(jwtSlot("a", "active"), jwtSlot("b", "prepared", { keyGeneration: 2 })),
      off,
      switchedAt,
      { kind: "jwt", due: { type: "drop", kind: "jwt", slot: "b", turnedOff: true } },
    ],
    [
      "off, the deactivated key: kept while a JWT-SVID it signed may live (max TTL after the switch)",
      jwt(oldJwtA),
      off,
      droppableAt - 1,
      { kind: "jwt", next: { step: { type: "drop", kind: "jwt", slot: "a", turnedOff: true }, at: droppableAt } },
    ],
    [
      "off, the deactivated key once its last JWT-SVID has expired: dropped (its key retired)",
      jwt(oldJwtA),
      off,
      droppableAt,
      { kind: "jwt", due: { type: "drop", kind: "jwt", slot: "a", turnedOff: true } },
    ],
    [
      "off, two old keys: the one droppable first goes first",
      jwt(jwtSlot("a", "old", { retiredAt: switchedAt }), jwtSlot("b", "old", { keyGeneration: 2, retiredAt: switchedAt - DAY })),
      off,
      switchedAt - DAY,
      {
        kind: "jwt",
        next: { step: { type: "drop", kind: "jwt", slot: "b", turnedOff: true }, at: switchedAt - DAY + MIN + HOUR + 30_000 },
      },
    ],
    [
      "off, an emergency: the compromised key leaves at once, no new key is made",
      { ...jwt(oldJwtA), emergency: { requestedAt: switchedAt, compromisedGeneration: 1, reason: "r", requestedBy: "x" } },
      off,
      switchedAt + MIN,
      { kind: "jwt", due: { type: "drop", kind: "jwt", slot: "a", turnedOff: true } },
    ],
    [
      "off, a rotation request: ignored, nothing is prepared",
      { ...jwt(oldJwtA), rotationRequestedAt: switchedAt },
      off,
      switchedAt,
      { kind: "jwt", next: { step: { type: "drop", kind: "jwt", slot: "a", turnedOff: true }, at: droppableAt } },
    ],
    [
      "on again with no key left: prepare slot a (then activate it)",
      jwt(),
      on,
      T0 + 90 * DAY,
      { kind: "jwt", due: { type: "prepare", kind: "jwt", slot: "a", keyGeneration: 1 } },
    ],
    [
      "on again while the old key waits: prepare the free slot at once, the next generation",
      jwt(oldJwtA),
      on,
      switchedAt + MIN,
      { kind: "jwt", due: { type: "prepare", kind: "jwt", slot: "b", keyGeneration: 2 } },
    ],
    [
      "on again, an old key due: dropped first",
      jwt(oldJwtA),
      on,
      droppableAt,
      { kind: "jwt", due: { type: "drop", kind: "jwt", slot: "a" } },
    ],
    [
      "on again, both slots held by old keys in use: the first drop comes first",
      jwt(oldJwtA, jwtSlot("b", "old", { keyGeneration: 2, retiredAt: switchedAt + HOUR })),
      on,
      switchedAt + MIN,
      { kind: "jwt", next: { step: { type: "drop", kind: "jwt", slot: "a" }, at: droppableAt } },
    ],
  ];
  for (const [name, j, p, now, expected] of cases) {
    it(name, () => assert.deepEqual(planRotation(j, p, now), expected));
  }
});
