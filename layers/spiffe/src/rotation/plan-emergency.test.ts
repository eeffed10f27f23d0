import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CaJournal, JournalSlot } from "../store/types.js";
import { planRotation, type RotationPlan } from "./plan-rotation.js";
import type { RotationPolicy } from "./thresholds.js";

const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;
const policy: RotationPolicy = { maxSvidTtlSeconds: 86_400, skewSeconds: 30, refreshHintSeconds: 300 };
const NOW = T0 + 3 * DAY;

function slot(slot: "a" | "b", status: JournalSlot["status"], keyGeneration: number): JournalSlot {
  return { slot, status, keyId: `x509-ca-${slot}`, keyGeneration, notBefore: T0, notAfter: T0 + 30 * DAY, preparedAt: T0 };
}

/** A journal with an emergency that marked every key up to `compromisedGeneration`. */
function emergency(compromisedGeneration: number, ...slots: JournalSlot[]): CaJournal {
  return {
    kind: "x509",
    version: 5,
    slots,
    bundleSequence: 5,
    updatedAt: T0,
    emergency: { requestedAt: NOW, compromisedGeneration, reason: "key leaked", requestedBy: "admin" },
  };
}

const cases: [string, CaJournal, RotationPlan][] = [
  [
    "only the compromised active key: a new key in the other slot, at once",
    emergency(1, slot("a", "active", 1)),
    { kind: "x509", due: { type: "prepare", kind: "x509", slot: "b", keyGeneration: 2 } },
  ],
  [
    "a key prepared before the emergency counts as compromised and is replaced",
    emergency(2, slot("a", "active", 1), slot("b", "prepared", 2)),
    { kind: "x509", due: { type: "prepare", kind: "x509", slot: "b", keyGeneration: 3 } },
  ],
  [
    "an old key still in the bundle is replaced too: the new key needs its slot",
    emergency(4, slot("a", "old", 3), slot("b", "active", 4)),
    { kind: "x509", due: { type: "prepare", kind: "x509", slot: "a", keyGeneration: 5 } },
  ],
  [
    "the new key is prepared: activate it at once, without waiting for publication",
    emergency(1, slot("a", "active", 1), slot("b", "prepared", 2)),
    { kind: "x509", due: { type: "activate", kind: "x509", slot: "b" } },
  ],
  [
    "the new key is active: drop the compromised key at once and retire it",
    emergency(1, slot("a", "old", 1), slot("b", "active", 2)),
    { kind: "x509", due: { type: "drop", kind: "x509", slot: "a", retireKey: true } },
  ],
  ["only the new key is left: nothing is due", emergency(1, slot("b", "active", 2)), { kind: "x509" }],
];

describe("planRotation in an emergency", () => {
  for (const [name, journal, expected] of cases) {
    it(name, () => assert.deepEqual(planRotation(journal, policy, NOW), expected));
  }

  it("never plans a drop while no key made after the request is active, so the journal always keeps a key", () => {
    for (const [, journal] of cases) {
      const plan = planRotation(journal, policy, NOW);
      if (plan.due?.type !== "drop") continue;
      const remaining = journal.slots.filter((s) => s.slot !== plan.due!.slot);
      assert.ok(remaining.some((s) => s.status === "active" && s.keyGeneration > journal.emergency!.compromisedGeneration));
    }
  });
});
