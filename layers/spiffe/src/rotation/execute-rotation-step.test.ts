import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ensureAuthority, type AuthorityDeps, type AuthorityPolicy } from "../ca/index.js";
import { FixedClock } from "../clock.js";
import { JournalConflictError, ReplayError } from "../errors.js";
import { DiskKeyManager } from "../keymanager/disk/index.js";
import type { KeyManager, KeyRetirer } from "../keymanager/types.js";
import { TrustDomain } from "../spiffeid/index.js";
import { EmbeddedStore } from "../store/embedded/index.js";
import type { CaJournal } from "../store/types.js";
import { executeRotationStep } from "./execute-rotation-step.js";

const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;
const policy: AuthorityPolicy = {
  trustDomain: TrustDomain.fromString("example.org"),
  keySpec: "ECC_NIST_P256",
  caTtlSeconds: 30 * 86_400,
  jwtKeyTtlSeconds: 30 * 86_400,
};

describe("executeRotationStep", () => {
  let dir: string;
  let store: EmbeddedStore;
  let deps: AuthorityDeps;
  let clock: FixedClock;
  let generated: string[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-rotation-step-"));
    clock = new FixedClock(T0);
    store = await EmbeddedStore.open({ directory: dir, clock });
    const disk = new DiskKeyManager({ directory: join(dir, "keys") });
    generated = [];
    const keys: KeyManager & KeyRetirer = {
      generateKey: (id, spec) => (generated.push(id), disk.generateKey(id, spec)),
      getKey: (id) => disk.getKey(id),
      listKeys: () => disk.listKeys(),
      retireKey: (id) => disk.retireKey(id),
    };
    deps = { keys, journals: store, leases: store, clock };
    await ensureAuthority("x509", deps, policy);
    generated = [];
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const journal = async () => (await store.getJournal("x509")) as CaJournal;

  it("prepare: a new key and CA in the free slot, version and bundle sequence moved on", async () => {
    clock.set(T0 + 15 * DAY);
    const next = await executeRotationStep(await journal(), { type: "prepare", kind: "x509", slot: "b", keyGeneration: 2 }, deps, policy);
    assert.deepEqual(generated, ["x509-ca-b"]);
    assert.deepEqual(await journal(), next);
    assert.equal(next.version, 2);
    assert.equal(next.bundleSequence, 2);
    assert.deepEqual(
      next.slots.map((s) => [s.slot, s.status, s.keyGeneration, s.preparedAt]),
      [
        ["a", "active", 1, T0],
        ["b", "prepared", 2, T0 + 15 * DAY],
      ],
    );
  });

  it("activate: swaps active and old, keeps the bundle sequence, clears a rotation request", async () => {
    await executeRotationStep(await journal(), { type: "prepare", kind: "x509", slot: "b", keyGeneration: 2 }, deps, policy);
    const requested = await journal();
    await store.putJournal({ ...requested, version: requested.version + 1, rotationRequestedAt: T0 }, requested.version);
    clock.set(T0 + DAY);
    const next = await executeRotationStep(await journal(), { type: "activate", kind: "x509", slot: "b" }, deps, policy);
    assert.deepEqual(
      next.slots.map((s) => [s.slot, s.status, s.retiredAt ?? s.activatedAt]),
      [
        ["a", "old", T0 + DAY],
        ["b", "active", T0 + DAY],
      ],
    );
    assert.equal(next.bundleSequence, 2);
    assert.equal("rotationRequestedAt" in next, false);
  });

  it("drop: removes the old slot and moves the bundle sequence on, making no key and retiring the dropped slot's key", async () => {
    await executeRotationStep(await journal(), { type: "prepare", kind: "x509", slot: "b", keyGeneration: 2 }, deps, policy);
    await executeRotationStep(await journal(), { type: "activate", kind: "x509", slot: "b" }, deps, policy);
    generated = [];
    const next = await executeRotationStep(await journal(), { type: "drop", kind: "x509", slot: "a" }, deps, policy);
    assert.deepEqual(
      next.slots.map((s) => s.slot),
      ["b"],
    );
    assert.equal(next.bundleSequence, 3);
    assert.deepEqual(generated, []);
    await assert.rejects(deps.keys.getKey("x509-ca-a"), { code: "ERR_KEY_NOT_FOUND" });
    await deps.keys.getKey("x509-ca-b");
  });

  it("a second prepare from the same journal version makes no key: the lease refuses it", async () => {
    const read = await journal();
    const step = { type: "prepare", kind: "x509", slot: "b", keyGeneration: 2 } as const;
    await executeRotationStep(read, step, deps, policy);
    await assert.rejects(executeRotationStep(read, step, deps, policy), ReplayError);
    assert.deepEqual(generated, ["x509-ca-b"]);
  });

  it("a step planned from an older journal version writes nothing", async () => {
    const read = await journal();
    await executeRotationStep(read, { type: "prepare", kind: "x509", slot: "b", keyGeneration: 2 }, deps, policy);
    await assert.rejects(executeRotationStep(read, { type: "drop", kind: "x509", slot: "a" }, deps, policy), JournalConflictError);
    assert.equal((await journal()).slots.length, 2);
    await deps.keys.getKey("x509-ca-a");
  });
});
