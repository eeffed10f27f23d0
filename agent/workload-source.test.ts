import { status, type ServiceError } from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../test/support/temp-dir.js";
import type { Bundle } from "#tessera/core";
import type { ApiIdentity } from "./config/index.js";
import type { X509Material, X509Want } from "./svid-manager.js";
import { createWorkloadSource, type WorkloadSvids } from "./workload-source.js";
import { startWorkloadApiServer, type WorkloadApiServer } from "./workloadapi/index.js";
import {
  callerWithUid,
  createTestPki,
  createWorkloadClient,
  StreamReader,
  type TestPki,
  type WorkloadClient,
} from "./workloadapi/test-support.js";

const WEB = "spiffe://example.org/web";
const IDENTITIES: ApiIdentity[] = [{ spiffeId: WEB, selectors: ["unix:uid:1000"], dnsNames: [] }];

/** The SVID manager as the Workload API sees it: a bundle and SVIDs a test hands over. */
class FakeSvids implements WorkloadSvids {
  held: X509Material | undefined;
  current: Bundle | undefined;
  readonly #listeners = new Set<() => void>();
  bundle = () => this.current;
  x509 = (want: X509Want) => (this.held?.spiffeId === want.spiffeId ? this.held : undefined);
  subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
  jwtSvid = async () => {
    throw new Error("not used");
  };
  notify(): void {
    for (const l of [...this.#listeners]) l();
  }
}

describe("the agent's Workload API source", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let pki: TestPki;
  let svids: FakeSvids;
  let server: WorkloadApiServer;
  let uid = 1000;
  const clients: WorkloadClient[] = [];
  const client = () => {
    const c = createWorkloadClient(`${temp.path}/api.sock`);
    clients.push(c);
    return c;
  };

  before(async () => {
    temp = await makeTempDir("workload-source");
    pki = await createTestPki(temp.path);
    svids = new FakeSvids();
    server = await startWorkloadApiServer({
      socketPath: `${temp.path}/api.sock`,
      source: createWorkloadSource(svids, IDENTITIES),
      attest: async () => callerWithUid(uid),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.close();
    await temp.remove();
  });

  it("answers Unavailable to an entitled caller while its identity has not arrived, though the bundle has, then serves it", async () => {
    svids.current = pki.bundle();
    const waiting = StreamReader.open<{ svids: { spiffe_id: string }[] }>(client(), "FetchX509SVID");
    const early: ServiceError = await waiting.failure();
    assert.equal(early.code, status.UNAVAILABLE, early.details);

    const svid = await pki.issueSvid(WEB);
    svids.held = {
      spiffeId: WEB,
      certificates: svid.certificates,
      privateKey: svid.privateKey,
      issuedAt: Date.now(),
      expiresAt: svid.expiresAt.getTime(),
      serialNumber: svid.serialNumber,
    };
    svids.notify();
    const served = StreamReader.open<{ svids: { spiffe_id: string }[] }>(client(), "FetchX509SVID");
    const [first] = await served.messagesAt(1);
    assert.deepEqual(
      first?.svids.map((s) => s.spiffe_id),
      [WEB],
    );
    served.call.cancel();
  });

  it("answers PermissionDenied to a caller that no configured identity selects", async () => {
    uid = 2000;
    const denied = await StreamReader.open(client(), "FetchX509SVID").failure();
    assert.equal(denied.code, status.PERMISSION_DENIED, denied.details);
  });

  it("hands callers entitled to the same identities one view while nothing changes, and a new one when an SVID or the bundle does", async () => {
    const source = createWorkloadSource(svids, IDENTITIES);
    const svid = await pki.issueSvid(WEB);
    const material = (expiresAt: number): X509Material => ({
      spiffeId: WEB,
      certificates: svid.certificates,
      privateKey: svid.privateKey,
      issuedAt: Date.now(),
      expiresAt,
      serialNumber: svid.serialNumber,
    });
    svids.current = pki.bundle();
    svids.held = material(svid.expiresAt.getTime());
    const first = source.stateFor(callerWithUid(1000));
    assert.ok(first && first === source.stateFor(callerWithUid(1000)), "one view for two callers of uid 1000");
    assert.notEqual(source.stateFor(callerWithUid(2000)), first);
    svids.held = material(svid.expiresAt.getTime() - 1);
    const renewed = source.stateFor(callerWithUid(1000));
    assert.ok(renewed && renewed !== first && renewed.x509Svids[0]!.expiresAt.getTime() === svid.expiresAt.getTime() - 1);
    svids.current = pki.bundle();
    assert.notEqual(source.stateFor(callerWithUid(1000)), renewed, "a new bundle, a new view");
    svids.held = undefined;
    assert.equal(
      source.stateFor(callerWithUid(1000)),
      undefined,
      "an SVID the manager no longer holds (expired) is never served from a kept view",
    );
  });
});

describe("the agent's Workload API source: one encoded response shared by many connections", () => {
  const DB = "spiffe://example.org/db";
  const TWO: ApiIdentity[] = [...IDENTITIES, { spiffeId: DB, selectors: ["unix:uid:2000"], dnsNames: [] }];
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: WorkloadApiServer;
  const clients: WorkloadClient[] = [];
  after(async () => {
    for (const c of clients) c.close();
    await server?.close();
    await temp?.remove();
  });

  it("serves each of many interleaved connections only its own caller's SVID, none to an unentitled one, and every renewal to all", async () => {
    temp = await makeTempDir("workload-source-shared");
    const pki = await createTestPki(temp.path);
    const held = new Map<string, X509Material>();
    const listeners = new Set<() => void>();
    const material = (svid: Awaited<ReturnType<TestPki["issueSvid"]>>): X509Material => ({
      spiffeId: svid.spiffeId,
      certificates: svid.certificates,
      privateKey: svid.privateKey,
      issuedAt: Date.now(),
      expiresAt: svid.expiresAt.getTime(),
      serialNumber: svid.serialNumber,
    });
    const bundle = pki.bundle();
    const svids: WorkloadSvids = {
      bundle: () => bundle,
      x509: (want) => held.get(want.spiffeId),
      subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
      jwtSvid: () => Promise.reject(new Error("not used")),
    };
    held.set(WEB, material(await pki.issueSvid(WEB)));
    held.set(DB, material(await pki.issueSvid(DB)));
    // Connections cycle through three processes: entitled to WEB, entitled to DB, entitled to nothing.
    let connections = 0;
    server = await startWorkloadApiServer({
      socketPath: `${temp.path}/api.sock`,
      source: createWorkloadSource(svids, TWO),
      attest: async () => callerWithUid([1000, 2000, 3000][connections++ % 3]!, 5000 + connections),
    });
    const PER_CALLER = 20;
    type Response = { svids: { spiffe_id: string; x509_svid: Buffer; x509_svid_key: Buffer }[] };
    const readers = Array.from({ length: 3 * PER_CALLER }, () => {
      const c = createWorkloadClient(`${temp.path}/api.sock`);
      clients.push(c);
      return StreamReader.open<Response>(c, "FetchX509SVID");
    });
    await Promise.all(readers.map((r) => r.messagesAt(1).catch(() => undefined)));
    // Which process a connection was attested as shows only in what it got.
    const denied = readers.filter((r) => r.error?.code === status.PERMISSION_DENIED);
    const served = readers.filter((r) => r.messages.length > 0);
    assert.equal(denied.length, PER_CALLER, "the process no identity selects gets PermissionDenied on each of its connections");
    for (const r of served) assert.equal(r.messages[0]!.svids.length, 1, "one SVID per caller, never the other's too");
    const web = served.filter((r) => r.messages[0]!.svids[0]!.spiffe_id === WEB);
    const db = served.filter((r) => r.messages[0]!.svids[0]!.spiffe_id === DB);
    assert.equal(web.length, PER_CALLER);
    assert.equal(db.length, PER_CALLER);
    for (const r of db) {
      assert.deepEqual(new Uint8Array(r.messages[0]!.svids[0]!.x509_svid_key), held.get(DB)!.privateKey, "the DB key, never WEB's");
    }

    const renewed = material(await pki.issueSvid(WEB));
    held.set(WEB, renewed);
    for (const listener of [...listeners]) listener();
    await Promise.all(web.map((r) => r.messagesAt(2)));
    for (const r of web) assert.deepEqual(new Uint8Array(r.messages[1]!.svids[0]!.x509_svid), renewed.certificates[0]);
    for (const r of db) assert.equal(r.messages.length, 1, "a renewal of WEB sends nothing to DB's callers");
    for (const r of readers) r.call.cancel();
  });
});
