import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, describe, it } from "node:test";
import { FixedClock, marshalSpiffeBundle, parseCertificates, TrustDomain } from "#tessera/core";
import { buildBundle, type CaJournal, requestEmergencyRotation } from "#tessera/issuer";
import { makeTempDir } from "../support/temp-dir.js";
import { DocumentPublisher, FakeTrustAnchor, openSimulationWorld, type SimulationWorld } from "./simulation-world.js";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const START = Date.UTC(2030, 0, 1);
// The ticks of one full cycle: first keys, prepare (day 24, a day before the activation point),
// activate (day 25), drop (day 26, which retires the dropped key), prepare into the freed slot (day 48).
// Each step tick is followed by the next scheduled tick ten minutes later, which repairs whatever a crash left.
const STEP_TICKS = [START + 24 * DAY, START + 25 * DAY, START + 26 * DAY + 2 * 60 * MIN, START + 48 * DAY];
const TICKS = [START, ...STEP_TICKS.flatMap((t) => [t, t + 10 * MIN])];
// An emergency an hour after a scheduled rotation, while the previous CA is still old in the bundle:
// one tick makes a key in the old key's slot, activates it and drops the compromised active key.
const EMERGENCY_AT = START + 25 * DAY + 60 * MIN;
const EMERGENCY_TICKS = [START, START + 24 * DAY, START + 25 * DAY, EMERGENCY_AT, EMERGENCY_AT + 10 * MIN];
const COUNTED = new Set(["getJournal", "putJournal", "claimOnce", "generateKey", "getKey", "listKeys", "retireKey", "publishBundle"]);

class InjectedCrash extends Error {}

/** A budget of calls shared by the store, the key manager, its keys and the publishers; then a crash. */
class CrashBudget {
  remaining = Infinity;

  spend(what: string): void {
    if (this.remaining <= 0) throw new InjectedCrash(`injected crash before ${what}`);
    this.remaining--;
  }

  wrap = <T extends object>(part: T): T => {
    const spend = (what: string) => this.spend(what);
    const signing = (out: unknown): unknown => {
      if (!out || typeof (out as { sign?: unknown }).sign !== "function") return out;
      const key = out as { id: string; spec: string; publicKey: unknown; sign(d: Uint8Array): Promise<Uint8Array> };
      return { id: key.id, spec: key.spec, publicKey: key.publicKey, sign: (d: Uint8Array) => (spend("sign"), key.sign(d)) };
    };
    return new Proxy(part, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== "function") return value;
        if (!COUNTED.has(String(property))) return value.bind(target);
        return async (...args: unknown[]) => {
          spend(String(property));
          return signing(await value.apply(target, args));
        };
      },
    });
  };
}

/** The journal with everything a key's randomness or a tick's timing decides left out. */
function shapeOf(journal: CaJournal | undefined) {
  return {
    version: journal?.version,
    bundleSequence: journal?.bundleSequence,
    emergencyPending: journal?.emergency !== undefined,
    slots: journal?.slots.map((s) => ({ slot: s.slot, status: s.status, keyId: s.keyId, keyGeneration: s.keyGeneration })),
  };
}

interface EndState {
  x509: ReturnType<typeof shapeOf>;
  jwt: ReturnType<typeof shapeOf>;
}

/**
 * Run the ticks, crashing the tick at `crashAt` after `budget` calls and restarting; check and
 * describe the end. At `emergencyAt` an emergency rotation of both kinds is asked for before the tick.
 */
async function runCycle(
  ticks: number[],
  crashAt: number | undefined,
  budget: number,
  emergencyAt?: number,
): Promise<{ end: EndState; crashed: boolean }> {
  const dir = await makeTempDir("rotation-crash");
  const clock = new FixedClock(START);
  const crash = new CrashBudget();
  const s3 = new DocumentPublisher(TrustDomain.fromString("example.org"));
  const anchor = new FakeTrustAnchor();
  const open = () => openSimulationWorld({ dataDir: dir.path, clock, wrap: crash.wrap, s3, anchor });
  let world: SimulationWorld = await open();
  let crashed = false;
  try {
    for (const t of ticks) {
      clock.set(t);
      crash.remaining = Infinity;
      if (t === emergencyAt) {
        for (const kind of ["x509", "jwt"] as const) {
          await requestEmergencyRotation({ journals: world.runtime.store, clock }, kind, { reason: "crash test", requestedBy: "test" });
        }
      }
      crash.remaining = t === crashAt ? budget : Infinity;
      try {
        await world.tick();
      } catch (err) {
        // A publisher's crash reaches here inside the tick's BundlePublishError.
        if (!(err instanceof InjectedCrash) && !(crash.remaining <= 0 && t === crashAt)) throw err;
        crashed = true;
        await world.close();
        world = await open();
      }
    }
    crash.remaining = Infinity;
    await checkConsistent(world);
    const [x509, jwt] = [await world.runtime.store.getJournal("x509"), await world.runtime.store.getJournal("jwt")];
    return { end: { x509: shapeOf(x509), jwt: shapeOf(jwt) }, crashed };
  } finally {
    await world.close();
    await dir.remove();
  }
}

/** Every slot's key is the one its journal published, and relying parties see exactly the journals' bundle. */
async function checkConsistent(world: SimulationWorld): Promise<void> {
  const { store, keys, config } = world.runtime;
  const x509 = (await store.getJournal("x509"))!;
  const jwt = (await store.getJournal("jwt"))!;
  for (const slot of x509.slots) {
    const [der] = parseCertificates(slot.certificatePem!);
    const expected = new X509Certificate(der!).publicKey.export({ format: "der", type: "spki" });
    assert.deepEqual(
      (await keys.getKey(slot.keyId)).publicKey.export({ format: "der", type: "spki" }),
      expected,
      `${slot.keyId} is the key of its certificate`,
    );
  }
  for (const slot of jwt.slots) {
    assert.equal((await keys.getKey(slot.keyId)).publicKey.export({ format: "der", type: "spki" }).toString("base64"), slot.publicKeySpki);
  }
  const bundle = await buildBundle({
    trustDomain: config.trustDomain,
    x509Journal: x509,
    jwtJournal: jwt,
    refreshHintSeconds: config.bundleRefreshHintSeconds,
  });
  assert.equal(world.s3.document, marshalSpiffeBundle(bundle), "the published bundle is the journals' bundle");
  assert.equal(world.anchor.certificateCount(), x509.slots.length);
}

describe("rotation after a crash at every single step", () => {
  const tried: string[] = [];
  after(() => console.log(`rotation crash injection: runs crashed after 0..n-1 calls of each step tick (${tried.join(", ")})`));

  it("ends, after the next tick, where an uninterrupted run ends", async () => {
    const reference = await runCycle(TICKS, undefined, 0);
    assert.deepEqual(
      reference.end.x509.slots?.map((s) => s.status),
      ["prepared", "active"],
      "the cycle ends with slot a prepared again",
    );
    for (const [i, at] of STEP_TICKS.entries()) {
      let calls = 0;
      for (;;) {
        const run = await runCycle(TICKS, at, calls);
        if (!run.crashed) break;
        assert.deepEqual(run.end, reference.end, `step tick ${i + 1} crashed after ${calls} calls`);
        calls++;
      }
      tried.push(`step tick ${i + 1}: n=${calls}`);
      assert.ok(calls >= 5, "each step tick makes several calls that can fail");
    }
  });
});

describe("emergency rotation after a crash at every single step", () => {
  it("ends, after the next tick, where an uninterrupted emergency ends: one new key per kind and nothing compromised", async () => {
    const reference = await runCycle(EMERGENCY_TICKS, undefined, 0, EMERGENCY_AT);
    for (const kind of ["x509", "jwt"] as const) {
      assert.equal(reference.end[kind].emergencyPending, false);
      assert.deepEqual(reference.end[kind].slots, [
        { slot: "a", status: "active", keyId: kind === "x509" ? "x509-ca-a" : "jwt-a", keyGeneration: 3 },
      ]);
    }
    let calls = 0;
    for (;;) {
      const run = await runCycle(EMERGENCY_TICKS, EMERGENCY_AT, calls, EMERGENCY_AT);
      if (!run.crashed) break;
      assert.deepEqual(run.end, reference.end, `the emergency tick crashed after ${calls} calls`);
      calls++;
    }
    console.log(`emergency rotation crash injection: runs crashed after 0..${calls - 1} calls of the emergency tick`);
    assert.ok(calls >= 8, "the emergency tick makes several calls that can fail");
  });
});
