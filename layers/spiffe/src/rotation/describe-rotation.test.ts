import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CaJournal, JournalSlot } from "../store/types.js";
import { describeExpiryWarning, describeRotation } from "./describe-rotation.js";
import type { RotationPolicy } from "./thresholds.js";

const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;
const policy: RotationPolicy = { maxSvidTtlSeconds: 86_400, skewSeconds: 30, refreshHintSeconds: 300 };
const active: JournalSlot = {
  slot: "a",
  status: "active",
  keyId: "x509-ca-a",
  keyGeneration: 1,
  notBefore: T0,
  notAfter: T0 + 30 * DAY,
  preparedAt: T0,
  activatedAt: T0,
};
const journal = (kind: CaJournal["kind"], ...slots: JournalSlot[]): CaJournal => ({
  kind,
  version: 1,
  slots,
  bundleSequence: 1,
  updatedAt: T0,
});

describe("describeExpiryWarning", () => {
  const cases: [string, CaJournal, RotationPolicy, number, RegExp | undefined][] = [
    ["nothing before 90% of the life (default)", journal("x509", active), policy, T0 + 27 * DAY - 1, undefined],
    [
      "the X.509 CA at 90%",
      journal("x509", active),
      policy,
      T0 + 27 * DAY,
      /^the active X\.509 CA \(slot a\) has lived 90% of its life and expires at 2030-01-31T00:00:00\.000Z; rotation has not replaced it/,
    ],
    ["the JWT key at 95%", journal("jwt", active), policy, T0 + 28.5 * DAY, /^the active JWT key \(slot a\) has lived 95% of its life/],
    [
      "a configured fraction of 0.95: nothing at 94%",
      journal("x509", active),
      { ...policy, warnFraction: 0.95 },
      T0 + 28.2 * DAY,
      undefined,
    ],
    [
      "a configured fraction of 0.95: warns at 95%",
      journal("x509", active),
      { ...policy, warnFraction: 0.95 },
      T0 + 28.5 * DAY,
      /has lived 95%/,
    ],
    [
      "an expired key says issuance answers 503",
      journal("x509", active),
      policy,
      T0 + 30 * DAY,
      /expired at 2030-01-31T00:00:00\.000Z: issuance answers 503 ERR_AUTHORITY_EXPIRED/,
    ],
    ["no active key: nothing", journal("x509", { ...active, status: "prepared" }), policy, T0 + 40 * DAY, undefined],
  ];
  for (const [name, j, p, now, expected] of cases) {
    it(name, () => {
      const warning = describeExpiryWarning(j, p, now);
      if (expected === undefined) assert.equal(warning, undefined);
      else assert.match(warning ?? "", expected);
    });
  }

  it("is what `tessera ca status` shows in the schedule", () => {
    assert.equal(describeRotation(journal("x509", active), policy, T0 + 26 * DAY).warning, undefined);
    assert.match(describeRotation(journal("x509", active), policy, T0 + 29 * DAY).warning ?? "", /has lived 96% of its life/);
  });
});
