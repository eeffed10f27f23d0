import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { FixedClock } from "../clock.js";
import { AuthorityUnavailableError, KeyManagerError, KmsThrottledError } from "../errors.js";
import { DiskKeyManager } from "../keymanager/disk/index.js";
import type { KeyManager } from "../keymanager/types.js";
import { TrustDomain } from "../spiffeid/index.js";
import { EmbeddedStore } from "../store/embedded/index.js";
import { makeTempDir } from "../../../../test/support/temp-dir.js";
import { AuthorityCache } from "./authority-cache.js";
import { ensureAuthorities } from "./ensure-authorities.js";

const td = TrustDomain.fromString("example.org");

describe("AuthorityCache when the key it holds stops signing", () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  let store: EmbeddedStore;
  let failWith: Error | undefined;
  let failGetKey: Error | undefined;
  let journalReads: number;
  let cache: AuthorityCache;

  beforeEach(async () => {
    dir = await makeTempDir("authority-cache");
    const clock = new FixedClock(Date.UTC(2030, 0, 1));
    store = await EmbeddedStore.open({ directory: dir.path, clock });
    const disk = new DiskKeyManager({ directory: `${dir.path}/keys` });
    await ensureAuthorities(
      { keys: disk, journals: store, leases: store, clock },
      { trustDomain: td, keySpec: "ECC_NIST_P256", caTtlSeconds: 30 * 86_400, jwtKeyTtlSeconds: 30 * 86_400 },
    );
    failWith = undefined;
    failGetKey = undefined;
    journalReads = 0;
    // What a KMS key retired by an emergency rotation does: it still loads from the cache, but Sign fails.
    const keys: KeyManager = {
      generateKey: (id, spec) => disk.generateKey(id, spec),
      listKeys: () => disk.listKeys(),
      getKey: async (id) => {
        if (failGetKey) throw failGetKey;
        const key = await disk.getKey(id);
        return { id: key.id, spec: key.spec, publicKey: key.publicKey, sign: (d) => (failWith ? Promise.reject(failWith) : key.sign(d)) };
      },
    };
    const journals = {
      getJournal: (kind: "x509" | "jwt") => (journalReads++, store.getJournal(kind)),
      putJournal: store.putJournal.bind(store),
    };
    cache = new AuthorityCache({ keys, journals, clock }, { trustDomain: td, refreshHintSeconds: 300 });
  });
  afterEach(async () => {
    await store.close();
    await dir.remove();
  });

  it("answers AuthorityUnavailableError (503, retry) and reads the journals again on the next call", async () => {
    for (const load of [() => cache.x509(), () => cache.jwt()]) {
      const { key } = await load();
      failWith = new KeyManagerError("keymanager: KMS Sign for key x509-ca-a failed (KMSInvalidStateException)");
      const reads = journalReads;
      await assert.rejects(
        key.sign(new Uint8Array([1])),
        (err: Error) => err instanceof AuthorityUnavailableError && err.cause === failWith,
      );
      failWith = undefined;
      await load();
      assert.ok(journalReads > reads, "the cache forgot what it held");
    }
  });

  it("forgets a failed load, so the next call loads the authority again", async () => {
    for (const load of [() => cache.x509(), () => cache.jwt()]) {
      failGetKey = new KeyManagerError("keymanager: KMS GetPublicKey failed (KMSInternalException)");
      await assert.rejects(load(), (err: Error) => err === failGetKey);
      failGetKey = undefined;
      const { key } = await load();
      assert.equal((await key.sign(new Uint8Array([1]))).length > 0, true);
    }
  });

  it("lets throttling through as it is (its own 503 and Retry-After)", async () => {
    const { key } = await cache.x509();
    failWith = new KmsThrottledError("keymanager: KMS Sign still failing after 4 tries (ThrottlingException)");
    await assert.rejects(key.sign(new Uint8Array([1])), (err: Error) => err === failWith);
  });
});
