import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, describe, it } from "node:test";
import { FixedClock, TrustDomain, buildBundle, marshalSpiffeBundle, parseCertificates, type CaJournal } from "../../layers/spiffe/src/index.js";
import { makeTempDir } from "../support/temp-dir.js";
import { DocumentPublisher, FakeTrustAnchor, openSimulationWorld, type SimulationWorld } from "./simulation-world.js";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const START = Date.UTC(2030, 0, 1);
// The ticks of one full cycle: first keys, prepare (day 15), activate (day 25), drop (day 26),
// prepare into the freed slot (day 30, which replaces the dropped key). Each step tick is followed by
// the next scheduled tick ten minutes later, which repairs whatever a crash left.
const STEP_TICKS = [START + 15 * DAY, START + 25 * DAY, START + 26 * DAY + 2 * 60 * MIN, START + 30 * DAY];
const TICKS = [START, ...STEP_TICKS.flatMap((t) => [t, t + 10 * MIN])];
const COUNTED = new Set(["getJournal", "putJournal", "claimOnce", "generateKey", "getKey", "listKeys", "publishBundle"]);

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
    slots: journal?.slots.map((s) => ({ slot: s.slot, status: s.status, keyId: s.keyId, keyGeneration: s.keyGeneration })),
  };
}

interface EndState {
  x509: ReturnType<typeof shapeOf>;
  jwt: ReturnType<typeof shapeOf>;
}

/** Run the cycle, crashing the tick at `crashAt` after `budget` calls and restarting; check and describe the end. */
async function runCycle(crashAt: number | undefined, budget: number): Promise<{ end: EndState; crashed: boolean }> {
  const dir = await makeTempDir("rotation-crash");
  const clock = new FixedClock(START);
  const crash = new CrashBudget();
  const s3 = new DocumentPublisher(TrustDomain.fromString("example.org"));
  const anchor = new FakeTrustAnchor();
  const open = () => openSimulationWorld({ dataDir: dir.path, clock, wrap: crash.wrap, s3, anchor });
  let world: SimulationWorld = await open();
  let crashed = false;
  try {
    for (const t of TICKS) {
      clock.set(t);
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
    assert.deepEqual((await keys.getKey(slot.keyId)).publicKey.export({ format: "der", type: "spki" }), expected, `${slot.keyId} is the key of its certificate`);
  }
  for (const slot of jwt.slots) {
    assert.equal((await keys.getKey(slot.keyId)).publicKey.export({ format: "der", type: "spki" }).toString("base64"), slot.publicKeySpki);
  }
  const bundle = await buildBundle({ trustDomain: config.trustDomain, x509Journal: x509, jwtJournal: jwt, refreshHintSeconds: config.bundleRefreshHintSeconds });
  assert.equal(world.s3.document, marshalSpiffeBundle(bundle), "the published bundle is the journals' bundle");
  assert.equal(world.anchor.certificateCount(), x509.slots.length);
}

describe("rotation after a crash at every single step", () => {
  const tried: string[] = [];
  after(() => console.log(`rotation crash injection: runs crashed after 0..n-1 calls of each step tick (${tried.join(", ")})`));

  it("ends, after the next tick, where an uninterrupted run ends", async () => {
    const reference = await runCycle(undefined, 0);
    assert.deepEqual(reference.end.x509.slots?.map((s) => s.status), ["prepared", "active"], "the cycle ends with slot a prepared again");
    for (const [i, at] of STEP_TICKS.entries()) {
      let calls = 0;
      for (;;) {
        const run = await runCycle(at, calls);
        if (!run.crashed) break;
        assert.deepEqual(run.end, reference.end, `step tick ${i + 1} crashed after ${calls} calls`);
        calls++;
      }
      tried.push(`step tick ${i + 1}: n=${calls}`);
      assert.ok(calls >= 5, "each step tick makes several calls that can fail");
    }
  });
});
