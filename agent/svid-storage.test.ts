import assert from "node:assert/strict";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../test/support/temp-dir.js";
import type { X509Material } from "./svid-manager.js";
import { SvidStorage } from "./svid-storage.js";
import { createTestPki, type TestPki } from "./workloadapi/test-support.js";

const WEB = "spiffe://example.org/web";
const KEY = `${WEB}||`;

describe("SvidStorage: kept SVIDs are served only while valid and chaining to the kept bundle", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let pki: TestPki;
  let other: TestPki;
  let n = 0;
  const fresh = () => new SvidStorage(join(temp.path, `state-${++n}`), pki.trustDomain);
  const svidFor = async (ttlMs = 3600_000): Promise<X509Material> => {
    const issued = await pki.issueSvid(WEB, { ttlMs });
    return {
      spiffeId: WEB,
      certificates: issued.certificates,
      privateKey: issued.privateKey,
      issuedAt: Date.now(),
      expiresAt: issued.expiresAt.getTime(),
      serialNumber: issued.serialNumber,
    };
  };

  before(async () => {
    temp = await makeTempDir("svid-storage");
    pki = await createTestPki(temp.path);
    other = await createTestPki(join(temp.path, "other"));
  });
  after(async () => {
    await temp.remove();
  });

  it("keeps the bundle and an SVID with its key (0600, directories 0700) and gives them back", async () => {
    const storage = fresh();
    const svid = await svidFor();
    await storage.saveBundle(pki.bundle());
    await storage.saveX509Svid(KEY, svid);
    const bundle = await storage.loadBundle();
    assert.deepEqual(bundle?.x509Authorities, pki.bundle().x509Authorities);
    const kept = await storage.loadX509Svid(KEY, WEB, bundle!, Date.now());
    assert.equal(kept?.serialNumber, svid.serialNumber);
    assert.deepEqual(kept?.privateKey, svid.privateKey);
    assert.equal((await stat(storage.directory)).mode & 0o777, 0o700);
    assert.equal((await stat(join(storage.directory, "svids"))).mode & 0o777, 0o700);
    for (const f of await readdir(join(storage.directory, "svids")))
      assert.equal((await stat(join(storage.directory, "svids", f))).mode & 0o777, 0o600);
    assert.equal(await storage.loadX509Svid("another want", WEB, bundle!, Date.now()), undefined);
  });

  it("does not serve an SVID that has expired", async () => {
    const storage = fresh();
    const svid = await svidFor(2000);
    await storage.saveX509Svid(KEY, svid);
    assert.ok(await storage.loadX509Svid(KEY, WEB, pki.bundle(), Date.now()));
    const later = svid.expiresAt + 1000;
    await assert.rejects(storage.loadX509Svid(KEY, WEB, pki.bundle(), later), /expired/);
  });

  it("refuses an SVID that does not chain to the kept bundle, is for another ID, or does not match its key", async () => {
    const storage = fresh();
    const svid = await svidFor();
    await storage.saveX509Svid(KEY, svid);
    await assert.rejects(storage.loadX509Svid(KEY, WEB, other.bundle(), Date.now()), /x509svid/);
    await assert.rejects(
      storage.loadX509Svid(KEY, "spiffe://example.org/db", pki.bundle(), Date.now()),
      /is for spiffe:\/\/example.org\/web/,
    );
    const another = await svidFor();
    await storage.saveX509Svid(KEY, { ...svid, privateKey: another.privateKey });
    await assert.rejects(storage.loadX509Svid(KEY, WEB, pki.bundle(), Date.now()), /does not match its key/);
  });

  it("throws for a kept bundle that does not parse", async () => {
    const storage = fresh();
    await storage.saveBundle(pki.bundle());
    const path = join(storage.directory, "bundle.json");
    await writeFile(path, (await readFile(path, "utf8")).slice(0, 20));
    await assert.rejects(storage.loadBundle());
  });
});
