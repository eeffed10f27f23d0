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
