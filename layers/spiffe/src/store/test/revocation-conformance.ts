import assert from "node:assert/strict";
import { describe } from "node:test";
import type { Revocation, Store, StoredCrl } from "../types.js";

const HOUR = 3_600_000;

function revocation(overrides: Partial<Revocation> = {}): Revocation {
  const now = Date.now();
  return {
    kind: "x509",
    id: "0a1b2c",
    caId: "aa11",
    keyThumbprint: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
    expiresAt: now + HOUR,
    revokedAt: now,
    reason: "keyCompromise",
    revokedBy: "admin",
    botName: "builder",
    instanceId: "i-1",
    ...overrides,
  };
}

function crl(overrides: Partial<StoredCrl> = {}): StoredCrl {
  const now = Date.now();
  return { caId: "aa11", crlNumber: 1, der: "MAA=", thisUpdate: now, nextUpdate: now + HOUR, ...overrides };
}

/** The RevocationStore part of the store conformance suite (`test` opens and closes a fresh store). */
export function describeRevocationStore(test: (title: string, body: (store: Store) => Promise<void>) => void): void {
  describe("revocations", () => {
    test("records a revocation once and lists it until the SVID expires", async ({ revocations }) => {
      const first = revocation();
      assert.deepEqual(await revocations.addRevocations([first]), [first]);
      assert.deepEqual(await revocations.addRevocations([{ ...first, revokedAt: first.revokedAt + 5, reason: "superseded" }]), []);
      const jwt = revocation({ kind: "jwt", id: "3f1d", expiresAt: first.expiresAt, revokedAt: first.revokedAt });
      delete jwt.caId;
      delete jwt.keyThumbprint;
      assert.deepEqual(await revocations.addRevocations([jwt]), [jwt]);
      const listed = await revocations.listRevocations(first.revokedAt);
      assert.deepEqual(
        listed.sort((a, b) => a.kind.localeCompare(b.kind)),
        [jwt, first],
      );
      assert.deepEqual(await revocations.listRevocations(first.expiresAt), []);
    });

    test("knows a revoked key while its SVID lives", async ({ revocations }) => {
      const now = Date.now();
      const early = revocation({ id: "01", expiresAt: now + HOUR });
      const late = revocation({ id: "02", expiresAt: now + 2 * HOUR });
      await revocations.addRevocations([late, early]);
      assert.equal(await revocations.isKeyRevoked(early.keyThumbprint!, now), true);
      assert.equal(await revocations.isKeyRevoked(early.keyThumbprint!, now + HOUR + 1), true);
      assert.equal(await revocations.isKeyRevoked(early.keyThumbprint!, now + 2 * HOUR), false);
      assert.equal(await revocations.isKeyRevoked("another-thumbprint", now), false);
    });

    test("keeps CRL numbers growing per CA", async ({ revocations }) => {
      const first = crl();
      await revocations.putCrl(first);
      const second = crl({ crlNumber: 2, der: "MAE=" });
      await revocations.putCrl(second);
      for (const stale of [crl({ crlNumber: 2 }), crl({ crlNumber: 1 })]) {
        await assert.rejects(revocations.putCrl(stale), (err: { code?: string }) => err.code === "ERR_STORE_CONFLICT");
      }
      const other = crl({ caId: "bb22", crlNumber: 7 });
      await revocations.putCrl(other);
      assert.deepEqual(
        (await revocations.listCrls()).sort((a, b) => a.caId.localeCompare(b.caId)),
        [second, other],
      );
      await assert.rejects(revocations.putCrl(crl({ caId: "not hex" })), TypeError);
    });
  });
}
