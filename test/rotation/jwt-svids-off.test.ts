// JWT-SVIDs turned off (TESSERA_JWT_SVIDS=false): the rotation ticks make no JWT key, a key left from
// before stays in the bundle until the last JWT-SVID it signed has expired, then leaves and is retired;
// turned on again, the next tick makes and activates a key. Embedded store and disk keys.
import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { type AuditEvent, type CaJournal, runRotationTick, SIGNING_LAG_MS } from "#tessera/issuer";
import { type TesseraRuntime } from "#tessera/aws";
import { buildRuntime } from "#tessera/dev";
import { CountingKeyManager } from "../support/counting-key-manager.js";
import { startEmbeddedIssuer, type IssuerHarness } from "../support/issuer-harness.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const BACKDATE_MS = 30_000;

/** The same store, keys and clock as `h`, with JWT-SVIDs switched on or off, and its key manager counting calls. */
async function switched(h: IssuerHarness, jwtSvids: boolean): Promise<{ runtime: TesseraRuntime; keys: CountingKeyManager }> {
  const keys = new CountingKeyManager(h.runtime.keys, () => h.clock.now().getTime());
  const runtime = await buildRuntime({ ...h.runtime.config, jwtSvids }, { store: h.runtime.store, keys, clock: h.clock, logger: h.logger });
  return { runtime, keys };
}

const tick = (runtime: TesseraRuntime) => runRotationTick({ ...runtime, publishers: [] });
const keyIds = async (h: IssuerHarness) => (await h.runtime.keys.listKeys()).map((k) => k.id).sort();
const jwtEvents = async (h: IssuerHarness): Promise<AuditEvent[]> =>
  (await h.runtime.store.listAudit({ limit: 1000 })).filter((e) => e.type.startsWith("jwt_key_")).sort((x, y) => x.time - y.time);

describe("rotation with JWT-SVIDs off from the start", () => {
  let h: IssuerHarness;
  before(async () => {
    h = await startEmbeddedIssuer("jwt-off-start", { TESSERA_JWT_SVIDS: "false" });
  });
  after(async () => h?.close());

  it("never makes a JWT key, through two CA rotations, while the CA rotates as usual", async () => {
    const keys = new CountingKeyManager(h.runtime.keys, () => h.clock.now().getTime());
    const runtime = { ...h.runtime, keys, authority: { ...h.runtime.authority, keys } };
    const start = h.clock.now().getTime();
    for (let day = 0; day <= 60; day++) {
      h.clock.set(start + day * DAY);
      const result = await tick(runtime);
      assert.equal(result.created.jwt, false);
      assert.ok(
        result.steps.every((s) => s.kind === "x509"),
        JSON.stringify(result.steps),
      );
      assert.equal(result.bundle.jwtAuthorities.size, 0, "the bundle carries no JWT authority");
    }
    assert.equal(await h.runtime.store.getJournal("jwt"), undefined, "no JWT journal");
    assert.ok(
      (await keyIds(h)).every((id) => !id.startsWith("jwt-")),
      `no JWT key: ${(await keyIds(h)).join(", ")}`,
    );
    const x509 = (await h.runtime.store.getJournal("x509")) as CaJournal;
    assert.ok(Math.max(...x509.slots.map((s) => s.keyGeneration)) >= 3, "the CA rotated twice");
    assert.equal(keys.calls.generateKey, 2, "one key per CA rotation, none for JWT");
    assert.deepEqual(await jwtEvents(h), []);
  });
});

describe("rotation when JWT-SVIDs are switched off on a running deployment, then on again", () => {
  let h: IssuerHarness;
  beforeEach(async () => {
    h = await startEmbeddedIssuer("jwt-off-switch");
  });
  afterEach(async () => h?.close());

  it("keeps the JWT key in the bundle for the JWT max TTL after the switch, then drops and retires it", async () => {
    const maxTtlMs = h.runtime.config.jwtSvidMaxTtlSeconds * 1000;
    const jwtKid = [...(await h.runtime.authorities.bundle()).jwtAuthorities.keys()];
    assert.equal(jwtKid.length, 1);
    h.clock.advance(2 * DAY);
    const switchedAt = h.clock.now().getTime();
    const off = await switched(h, false);

    const first = await tick(off.runtime);
    assert.deepEqual(first.steps, [{ type: "deactivate", kind: "jwt", slot: "a" }]);
    const journal = (await h.runtime.store.getJournal("jwt")) as CaJournal;
    assert.deepEqual(
      journal.slots.map((s) => [s.slot, s.status, s.retiredAt]),
      [["a", "old", switchedAt]],
    );
    assert.deepEqual([...first.bundle.jwtAuthorities.keys()], jwtKid, "still published: JWT-SVIDs it signed may be live");
    await assert.rejects(off.runtime.authorities.jwt(), { code: "ERR_AUTHORITY_UNAVAILABLE" }, "no key signs JWT-SVIDs any more");

    const droppableAt = switchedAt + SIGNING_LAG_MS + maxTtlMs + BACKDATE_MS;
    h.clock.set(droppableAt - 1);
    assert.deepEqual((await tick(off.runtime)).steps, [], "not before the last JWT-SVID it signed has expired");
    assert.deepEqual(await keyIds(h), ["jwt-a", "x509-ca-a"]);
    assert.equal(off.keys.calls.retireKey, 0);

    h.clock.set(droppableAt);
    const dropped = await tick(off.runtime);
    assert.deepEqual(dropped.steps, [{ type: "drop", kind: "jwt", slot: "a", turnedOff: true }]);
    assert.equal(dropped.bundle.jwtAuthorities.size, 0, "the bundle carries no JWT authority");
    assert.equal(off.keys.calls.retireKey, 1, "the key retired (KMS: deletion scheduled)");
    assert.deepEqual(await keyIds(h), ["x509-ca-a"]);
    assert.deepEqual(((await h.runtime.store.getJournal("jwt")) as CaJournal).slots, []);
    assert.equal(off.keys.calls.generateKey, 0, "no key made while off");

    h.clock.advance(40 * DAY);
    for (let i = 0; i < 3; i++) assert.ok((await tick(off.runtime)).steps.every((s) => s.kind === "x509"));
    assert.ok(
      (await keyIds(h)).every((id) => !id.startsWith("jwt-")),
      "still no JWT key after a CA rotation",
    );

    const events = await jwtEvents(h);
    assert.deepEqual(
      events.map((e) => [e.type, e.detail?.slot, e.detail?.reason, e.detail?.retired_slot]),
      [
        ["jwt_key_rotated", "a", "turned_off", "a"],
        ["jwt_key_retired", "a", "turned_off", undefined],
      ],
    );
  });

  it("switched on again, the next tick makes and activates a JWT key, as the first one was made", async () => {
    const off = await switched(h, false);
    await tick(off.runtime);
    h.clock.advance(2 * HOUR);
    await tick(off.runtime);
    assert.equal((await h.runtime.authorities.bundle()).jwtAuthorities.size, 0);

    const on = await switched(h, true);
    const result = await tick(on.runtime);
    assert.deepEqual(
      result.steps.map((s) => `${s.type} ${s.slot}`),
      ["prepare a", "activate a"],
    );
    assert.equal(result.bundle.jwtAuthorities.size, 1, "the new key is published");
    const journal = (await h.runtime.store.getJournal("jwt")) as CaJournal;
    assert.deepEqual(
      journal.slots.map((s) => [s.slot, s.status]),
      [["a", "active"]],
    );
    const authority = await on.runtime.authorities.jwt();
    assert.deepEqual([...result.bundle.jwtAuthorities.keys()], [authority.kid], "the published key is the one that signs");
    assert.equal(on.keys.calls.generateKey, 1);
    assert.deepEqual((await tick(on.runtime)).steps, [], "then nothing until its own rotation");
  });

  it("switched on again before the old key has left: a key in the free slot at once, the old one dropped in its time", async () => {
    const off = await switched(h, false);
    await tick(off.runtime);
    h.clock.advance(10 * MIN);
    const on = await switched(h, true);
    assert.deepEqual(
      (await tick(on.runtime)).steps.map((s) => `${s.type} ${s.slot}`),
      ["prepare b", "activate b"],
    );
    assert.equal((await h.runtime.authorities.bundle()).jwtAuthorities.size, 2, "old and new key published");
    h.clock.advance(2 * HOUR);
    assert.deepEqual(
      (await tick(on.runtime)).steps.map((s) => `${s.type} ${s.slot}`),
      ["drop a"],
    );
    assert.deepEqual(await keyIds(h), ["jwt-b", "x509-ca-a"]);
  });
});
