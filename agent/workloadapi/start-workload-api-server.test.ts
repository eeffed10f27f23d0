import { status, type ServiceError } from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { lstat, mkdir, stat, writeFile } from "node:fs/promises";
import { after, afterEach, before, describe, it } from "node:test";
import { makeTempDir } from "../../test/support/temp-dir.js";
import { parseAndValidateJwtSvid } from "#tessera/core";
import { startWorkloadApiServer, type WorkloadApiServer } from "./start-workload-api-server.js";
import {
  callerWithUid,
  callUnary,
  createTestPki,
  createWorkloadClient,
  eventually,
  StreamReader,
  TestSource,
  workloadMetadata,
  type TestPki,
  type WorkloadClient,
} from "./test-support.js";
import type { CallerIdentity } from "./types.js";
import { WORKLOAD_API_SERVICE } from "./workload-api-definition.js";

const WEB = "spiffe://example.org/web";
const DB = "spiffe://example.org/db";

interface X509SvidResponse {
  svids: { spiffe_id: string; x509_svid: Buffer; x509_svid_key: Buffer; bundle: Buffer; hint: string }[];
  federated_bundles: Record<string, Buffer>;
}

interface Harness {
  server: WorkloadApiServer;
  source: TestSource;
  socketPath: string;
  lines: { level: string; message: string; fields?: Record<string, unknown> }[];
  clients: WorkloadClient[];
  client(): WorkloadClient;
}

let temp: { path: string; remove(): Promise<void> };
let pki: TestPki;
let other: TestPki;
let harness: Harness | undefined;

before(async () => {
  temp = await makeTempDir("workloadapi");
  pki = await createTestPki(temp.path, "example.org");
  other = await createTestPki(temp.path, "other.org");
});

after(async () => {
  await temp.remove();
});

afterEach(async () => {
  for (const c of harness?.clients ?? []) c.close();
  await harness?.server.close();
  harness = undefined;
});

let sockets = 0;

/** A server on a fresh socket; every connection is attested as `callers()` answers (uid 1000 by default). */
async function startHarness(callers: () => CallerIdentity | Promise<CallerIdentity> = () => callerWithUid(1000)): Promise<Harness> {
  const source = TestSource.forPki(pki);
  source.grants.push({ selector: "unix:uid:1000", svid: await pki.issueSvid(WEB, { hint: "internal" }) });
  const lines: Harness["lines"] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  const socketPath = `${temp.path}/s${++sockets}/api.sock`;
  const server = await startWorkloadApiServer({
    socketPath,
    source,
    attest: async () => callers(),
    logger: { info: log("info"), warn: log("warn"), error: log("error") },
  });
  const clients: WorkloadClient[] = [];
  harness = {
    server,
    source,
    socketPath,
    lines,
    clients,
    client: () => {
      const c = createWorkloadClient(socketPath);
      clients.push(c);
      return c;
    },
  };
  return harness;
}

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error("call succeeded");
}

function assertStatus(err: ServiceError, code: status, details?: RegExp): void {
  assert.equal(err.code, code, `${status[err.code]}: ${err.details}`);
  if (details) assert.match(err.details, details);
}

describe("Workload API server: the security header", () => {
  for (const [label, metadata] of [
    ["missing", workloadMetadata(false)],
    [
      "wrong case",
      (() => {
        const m = workloadMetadata(false);
        m.set("workload.spiffe.io", "True");
        return m;
      })(),
    ],
    [
      "repeated",
      (() => {
        const m = workloadMetadata();
        m.add("workload.spiffe.io", "true");
        return m;
      })(),
    ],
  ] as const) {
    it(`answers InvalidArgument on every method when the header is ${label}`, async () => {
      const h = await startHarness();
      const client = h.client();
      for (const method of ["FetchX509SVID", "FetchX509Bundles", "FetchJWTBundles", "FetchWITSVID", "FetchWITBundles"]) {
        assertStatus(await StreamReader.open(client, method, {}, metadata).failure(), status.INVALID_ARGUMENT, /security header/);
      }
      assertStatus(
        await rejection(callUnary(client, "FetchJWTSVID", { audience: ["a"] }, metadata)),
        status.INVALID_ARGUMENT,
        /security header/,
      );
      assertStatus(await rejection(callUnary(client, "ValidateJWTSVID", { audience: "a", svid: "x" }, metadata)), status.INVALID_ARGUMENT);
      assert.equal(h.source.subscriptions, 0);
    });
  }
});

describe("Workload API server: X.509", () => {
  it("streams the caller's SVID, key, own bundle and federated bundles as DER", async () => {
    const h = await startHarness();
    h.source.x509Bundles.set("other.org", other.x509Authorities);
    const [response] = await StreamReader.open<X509SvidResponse>(h.client(), "FetchX509SVID").messagesAt(1);
    assert.equal(response!.svids.length, 1);
    const svid = response!.svids[0]!;
    const granted = h.source.grants[0]!.svid;
    assert.equal(svid.spiffe_id, WEB);
    assert.equal(svid.hint, "internal");
    assert.deepEqual(new Uint8Array(svid.x509_svid), granted.certificates[0]);
    const leaf = new X509Certificate(svid.x509_svid);
    assert.equal(leaf.subjectAltName, `URI:${WEB}`);
    const key = createPrivateKey({ key: svid.x509_svid_key, format: "der", type: "pkcs8" });
    assert.ok(createPublicKey(key).equals(leaf.publicKey), "the key belongs to the certificate");
    assert.deepEqual(new Uint8Array(svid.bundle), pki.x509Authorities[0]);
    assert.ok(leaf.verify(new X509Certificate(svid.bundle).publicKey), "the bundle's CA signed the SVID");
    assert.deepEqual(Object.keys(response!.federated_bundles), ["spiffe://other.org"]);
    assert.deepEqual(new Uint8Array(response!.federated_bundles["spiffe://other.org"]!), other.x509Authorities[0]);
  });

  it("keeps hints unique and the configured order (the first SVID is the default)", async () => {
    const h = await startHarness();
    h.source.grants.push({ selector: "unix:uid:1000", svid: await pki.issueSvid(DB, { hint: "internal" }) });
    h.source.grants.push({ selector: "unix:uid:1000", svid: await pki.issueSvid(DB, { hint: "external" }) });
    const [response] = await StreamReader.open<X509SvidResponse>(h.client(), "FetchX509SVID").messagesAt(1);
    assert.deepEqual(
      response!.svids.map((s) => [s.spiffe_id, s.hint]),
      [
        [WEB, "internal"],
        [DB, "external"],
      ],
    );
    assert.ok(h.lines.some((l) => l.level === "warn" && /hint is not unique/.test(l.message)));
  });

  it("streams every trust domain's CAs from FetchX509Bundles, keyed by trust domain ID", async () => {
    const h = await startHarness();
    h.source.x509Bundles.set("other.org", other.x509Authorities);
    const [response] = await StreamReader.open<{ bundles: Record<string, Buffer> }>(h.client(), "FetchX509Bundles").messagesAt(1);
    assert.deepEqual(Object.keys(response!.bundles), ["spiffe://example.org", "spiffe://other.org"]);
    assert.deepEqual(new Uint8Array(response!.bundles["spiffe://example.org"]!), pki.x509Authorities[0]);
  });

  it("answers PermissionDenied to a caller with no identity, on every stream and on FetchJWTSVID", async () => {
    const h = await startHarness(() => callerWithUid(2000));
    const client = h.client();
    for (const method of ["FetchX509SVID", "FetchX509Bundles", "FetchJWTBundles"]) {
      assertStatus(await StreamReader.open(client, method).failure(), status.PERMISSION_DENIED, /^no identity issued$/);
    }
    assertStatus(await rejection(callUnary(client, "FetchJWTSVID", { audience: ["svc"] })), status.PERMISSION_DENIED, /no identity issued/);
    assert.equal(h.source.subscriptions, 0);
    assert.equal(h.server.stats().streams, 0);
  });

  it("answers Unavailable while the agent has no state yet, then serves once it has", async () => {
    const h = await startHarness();
    h.source.ready = false;
    const client = h.client();
    for (const method of ["FetchX509SVID", "FetchX509Bundles", "FetchJWTBundles"]) {
      assertStatus(await StreamReader.open(client, method).failure(), status.UNAVAILABLE, /not ready/);
    }
    assertStatus(await rejection(callUnary(client, "FetchJWTSVID", { audience: ["svc"] })), status.UNAVAILABLE);
    assertStatus(await rejection(callUnary(client, "ValidateJWTSVID", { audience: "svc", svid: "a.b.c" })), status.UNAVAILABLE);
    assert.equal(h.source.subscriptions, 0);
    h.source.ready = true;
    await StreamReader.open(client, "FetchX509SVID").messagesAt(1);
  });

  it("tells callers apart by connection: each connection gets its own attested identity", async () => {
    let n = 0;
    const h = await startHarness(() => callerWithUid(n++ === 0 ? 1000 : 3000));
    const first = await StreamReader.open<X509SvidResponse>(h.client(), "FetchX509SVID").messagesAt(1);
    assert.equal(first[0]!.svids[0]!.spiffe_id, WEB);
    const second = h.client();
    assertStatus(await StreamReader.open(second, "FetchX509SVID").failure(), status.PERMISSION_DENIED);
    // Same connection again: still the second caller's identity, attested once at accept time.
    assertStatus(await StreamReader.open(second, "FetchX509SVID").failure(), status.PERMISSION_DENIED);
    assert.equal(n, 2);
  });

  it("closes a connection whose attestation fails; the client sees Unavailable", async () => {
    const h = await startHarness(() => Promise.reject(new Error("peer is gone")));
    assertStatus(await StreamReader.open(h.client(), "FetchX509SVID").failure(), status.UNAVAILABLE);
    assert.ok(h.lines.some((l) => l.level === "warn" && /attestation failed/.test(l.message)));
  });
});

describe("Workload API server: streams follow changes", () => {
  it("resends on a change that affects the caller, not on one that does not", async () => {
    const h = await startHarness();
    const reader = StreamReader.open<X509SvidResponse>(h.client(), "FetchX509SVID");
    await reader.messagesAt(1);
    // Unrelated: another uid's grant changes, and a change with nothing changed at all.
    h.source.grants.push({ selector: "unix:uid:3000", svid: await pki.issueSvid(DB) });
    const rendered = h.source.stateCalls;
    h.source.notify();
    h.source.notify();
    await eventually(() => h.source.stateCalls > rendered, 5_000, "the unrelated change to be rendered");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(reader.messages.length, 1, "no resend for an unrelated change");
    // Related: the caller's SVID is renewed.
    const renewed = await pki.issueSvid(WEB, { hint: "internal" });
    h.source.grants[0] = { selector: "unix:uid:1000", svid: renewed };
    h.source.notify();
    const messages = await reader.messagesAt(2);
    assert.deepEqual(new Uint8Array(messages[1]!.svids[0]!.x509_svid), renewed.certificates[0]);
    assert.equal(reader.messages.length, 2);
  });

  it("resends the bundle streams when a CA is added", async () => {
    const h = await startHarness();
    const client = h.client();
    const svids = StreamReader.open<X509SvidResponse>(client, "FetchX509SVID");
    const bundles = StreamReader.open<{ bundles: Record<string, Buffer> }>(client, "FetchX509Bundles");
    const jwt = StreamReader.open<{ bundles: Record<string, Buffer> }>(client, "FetchJWTBundles");
    await Promise.all([svids.messagesAt(1), bundles.messagesAt(1), jwt.messagesAt(1)]);
    const extraTd = await createTestPki(temp.path, "extra.org");
    h.source.x509Bundles.set("extra.org", extraTd.x509Authorities);
    h.source.notify();
    const [, second] = await bundles.messagesAt(2);
    assert.deepEqual(Object.keys(second!.bundles).sort(), ["spiffe://example.org", "spiffe://extra.org"]);
    const [, secondSvids] = await svids.messagesAt(2);
    assert.deepEqual(Object.keys(secondSvids!.federated_bundles), ["spiffe://extra.org"]);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(jwt.messages.length, 1, "the JWT bundles did not change");
    h.source.jwtBundles.set("extra.org", extraTd.jwks());
    h.source.notify();
    const [, jwtSecond] = await jwt.messagesAt(2);
    assert.deepEqual(JSON.parse(Buffer.from(jwtSecond!.bundles["spiffe://extra.org"]!).toString()).keys[0].kid, extraTd.jwtKid);
  });

  it("ends a stream with PermissionDenied when the caller loses its identity", async () => {
    const h = await startHarness();
    const reader = StreamReader.open(h.client(), "FetchX509SVID");
    await reader.messagesAt(1);
    h.source.grants = [];
    h.source.notify();
    assertStatus(await reader.failure(), status.PERMISSION_DENIED);
    await eventually(() => h.source.subscriptions === 0, 5_000, "the subscription to be released");
  });

  it("frees the subscription when the client cancels, and when the server closes", async () => {
    const h = await startHarness();
    const client = h.client();
    const readers = ["FetchX509SVID", "FetchX509Bundles", "FetchJWTBundles"].map((m) => StreamReader.open(client, m));
    await Promise.all(readers.map((r) => r.messagesAt(1)));
    assert.equal(h.source.subscriptions, 3);
    assert.equal(h.server.stats().streams, 3);
    readers[0]!.call.cancel();
    await eventually(() => h.source.subscriptions === 2, 5_000, "one subscription to be released");
    assert.equal(h.server.stats().streams, 2);
    await h.server.close();
    await eventually(() => h.source.subscriptions === 0, 5_000, "every subscription to be released");
    assertStatus(await readers[1]!.failure(), status.UNAVAILABLE);
  });
});

describe("Workload API server: JWT-SVIDs", () => {
  it("mints a JWT-SVID per identity for the audience, that validates against the bundle", async () => {
    const h = await startHarness();
    const response = await callUnary<{ svids: { spiffe_id: string; svid: string; hint: string }[] }>(h.client(), "FetchJWTSVID", {
      audience: ["svc-a", "svc-b"],
    });
    assert.equal(response.svids.length, 1);
    assert.equal(response.svids[0]!.spiffe_id, WEB);
    const svid = await parseAndValidateJwtSvid(response.svids[0]!.svid, pki.bundle(), { audience: ["svc-b"] });
    assert.equal(svid.spiffeId.toString(), WEB);
  });

  it("returns only the requested SPIFFE ID, and PermissionDenied for one the caller lacks", async () => {
    const h = await startHarness();
    h.source.grants.push({ selector: "unix:uid:1000", svid: await pki.issueSvid(DB) });
    const client = h.client();
    const all = await callUnary<{ svids: { spiffe_id: string }[] }>(client, "FetchJWTSVID", { audience: ["svc"] });
    assert.deepEqual(
      all.svids.map((s) => s.spiffe_id),
      [WEB, DB],
    );
    const one = await callUnary<{ svids: { spiffe_id: string }[] }>(client, "FetchJWTSVID", { audience: ["svc"], spiffe_id: DB });
    assert.deepEqual(
      one.svids.map((s) => s.spiffe_id),
      [DB],
    );
    assertStatus(
      await rejection(callUnary(client, "FetchJWTSVID", { audience: ["svc"], spiffe_id: "spiffe://example.org/admin" })),
      status.PERMISSION_DENIED,
    );
  });

  it("refuses a JWT-SVID request without an audience or with an invalid SPIFFE ID", async () => {
    const h = await startHarness();
    const client = h.client();
    assertStatus(await rejection(callUnary(client, "FetchJWTSVID", {})), status.INVALID_ARGUMENT, /audience must be specified/);
    assertStatus(await rejection(callUnary(client, "FetchJWTSVID", { audience: [""] })), status.INVALID_ARGUMENT, /audience/);
    assertStatus(
      await rejection(callUnary(client, "FetchJWTSVID", { audience: ["a"], spiffe_id: "https://x/y" })),
      status.INVALID_ARGUMENT,
      /SPIFFE ID/,
    );
  });

  it("validates a JWT-SVID and returns its SPIFFE ID and claims (aud as a list)", async () => {
    const h = await startHarness();
    const token = await pki.mintJwt(DB, ["svc"]);
    const response = await callUnary<{ spiffe_id: string; claims: { fields: Record<string, Record<string, unknown>> } }>(
      h.client(),
      "ValidateJWTSVID",
      { audience: "svc", svid: token },
    );
    assert.equal(response.spiffe_id, DB);
    assert.equal(response.claims.fields.sub!.stringValue, DB);
    assert.deepEqual(response.claims.fields.aud!.listValue, { values: [{ stringValue: "svc", kind: "stringValue" }] });
    assert.equal(typeof response.claims.fields.exp!.numberValue, "number");
  });

  it("validates a JWT-SVID carrying an OIDC iss (an issuer with TESSERA_ISSUER_URL) and returns the iss claim", async () => {
    const h = await startHarness();
    const token = await pki.mintJwt(DB, ["svc"], 300, "https://spiffe.example.org");
    const response = await callUnary<{ spiffe_id: string; claims: { fields: Record<string, Record<string, unknown>> } }>(
      h.client(),
      "ValidateJWTSVID",
      { audience: "svc", svid: token },
    );
    assert.equal(response.spiffe_id, DB);
    assert.equal(response.claims.fields.iss!.stringValue, "https://spiffe.example.org");
  });

  it("answers InvalidArgument with the reason for a token that does not validate, and never logs the token", async () => {
    const h = await startHarness();
    const client = h.client();
    const token = await pki.mintJwt(DB, ["svc"]);
    assertStatus(
      await rejection(callUnary(client, "ValidateJWTSVID", { audience: "other", svid: token })),
      status.INVALID_ARGUMENT,
      /audience mismatch/,
    );
    const foreign = await other.mintJwt("spiffe://other.org/x", ["svc"]);
    assertStatus(
      await rejection(callUnary(client, "ValidateJWTSVID", { audience: "svc", svid: foreign })),
      status.INVALID_ARGUMENT,
      /no JWT authority/,
    );
    assertStatus(
      await rejection(callUnary(client, "ValidateJWTSVID", { audience: "svc", svid: "not.a.token" })),
      status.INVALID_ARGUMENT,
      /jwtsvid/,
    );
    assertStatus(
      await rejection(callUnary(client, "ValidateJWTSVID", { svid: token })),
      status.INVALID_ARGUMENT,
      /audience must be specified/,
    );
    assertStatus(
      await rejection(callUnary(client, "ValidateJWTSVID", { audience: "svc" })),
      status.INVALID_ARGUMENT,
      /svid must be specified/,
    );
    const logged = JSON.stringify(h.lines);
    assert.ok(h.lines.length >= 3);
    assert.ok(!logged.includes(token.split(".")[2]!) && !logged.includes(foreign.split(".")[1]!), "no token in the logs");
  });
});

describe("Workload API server: bad requests", () => {
  function rawUnary(client: WorkloadClient, method: string, bytes: Buffer): Promise<unknown> {
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        `/${WORKLOAD_API_SERVICE}/${method}`,
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        workloadMetadata(),
        (err, value) => (err ? reject(err) : resolve(value)),
      );
    });
  }

  it("answers InvalidArgument to a request that is not a valid message", async () => {
    const h = await startHarness();
    const client = h.client();
    assertStatus(
      await rejection(rawUnary(client, "FetchJWTSVID", Buffer.from([0x0a, 0xff, 0xff, 0xff]))),
      status.INVALID_ARGUMENT,
      /not a valid message/,
    );
    assertStatus(await rejection(rawUnary(client, "ValidateJWTSVID", Buffer.from([0x12, 0x05, 0x61]))), status.INVALID_ARGUMENT);
    const stream = new StreamReader(
      client.makeServerStreamRequest(
        `/${WORKLOAD_API_SERVICE}/FetchX509SVID`,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x0f]),
        workloadMetadata(),
      ),
    );
    assertStatus(await stream.failure(), status.INVALID_ARGUMENT);
    assert.equal(h.source.subscriptions, 0);
  });

  it("answers ResourceExhausted to a huge request and keeps serving", async () => {
    const h = await startHarness();
    const client = h.client();
    const huge = { audience: "svc", svid: "x".repeat(2 * 1024 * 1024) };
    assertStatus(await rejection(callUnary(client, "ValidateJWTSVID", huge)), status.RESOURCE_EXHAUSTED);
    const many = { audience: Array.from({ length: 20_000 }, (_, i) => `aud-${i}`) };
    assertStatus(await rejection(callUnary(client, "FetchJWTSVID", many)), status.RESOURCE_EXHAUSTED);
    await StreamReader.open(client, "FetchX509SVID").messagesAt(1);
  });

  it("answers Unimplemented to the WIT-SVID profile", async () => {
    const h = await startHarness();
    const client = h.client();
    assertStatus(await StreamReader.open(client, "FetchWITSVID", { spiffe_id: "" }).failure(), status.UNIMPLEMENTED);
    assertStatus(await StreamReader.open(client, "FetchWITBundles").failure(), status.UNIMPLEMENTED);
  });
});

describe("Workload API server: the socket file", () => {
  const start = (socketPath: string) =>
    startWorkloadApiServer({ socketPath, source: new TestSource(), attest: async () => callerWithUid(1000) });

  it("creates the directory 0755, makes the socket world-connectable, and removes it on close", async () => {
    const socketPath = `${temp.path}/run/tessera/agent/api.sock`;
    const server = await start(socketPath);
    assert.equal((await stat(`${temp.path}/run/tessera/agent`)).mode & 0o777, 0o755);
    assert.equal((await stat(`${temp.path}/run/tessera`)).mode & 0o777, 0o755);
    const socket = await lstat(socketPath);
    assert.ok(socket.isSocket());
    assert.equal(socket.mode & 0o777, 0o777);
    await server.close();
    await assert.rejects(lstat(socketPath), { code: "ENOENT" });
  });

  it("replaces a stale socket left by a process that died", async () => {
    const socketPath = `${temp.path}/stale/api.sock`;
    await mkdir(`${temp.path}/stale`);
    const script = `require("net").createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, "SIGKILL"))`;
    spawnSync(process.execPath, ["-e", script], { env: { ...process.env, NODE_OPTIONS: "" } });
    assert.ok((await lstat(socketPath)).isSocket(), "the dead process left its socket");
    const server = await start(socketPath);
    const client = createWorkloadClient(socketPath);
    assertStatus(await StreamReader.open(client, "FetchX509SVID").failure(), status.PERMISSION_DENIED);
    client.close();
    await server.close();
  });

  it("refuses a path that is not a socket, or a socket another server is using", async () => {
    const filePath = `${temp.path}/not-a-socket`;
    await writeFile(filePath, "keep me");
    await assert.rejects(start(filePath), { code: "ERR_CONFIG", message: /not a socket/ });
    assert.equal((await stat(filePath)).size, 7);
    const socketPath = `${temp.path}/busy/api.sock`;
    const first = await start(socketPath);
    await assert.rejects(start(socketPath), { code: "ERR_CONFIG", message: /in use/ });
    await first.close();
    await assert.rejects(start("relative/api.sock"), TypeError);
  });
});

describe("Workload API server: 1,000 watchers", () => {
  it("sends each the initial response and one update, then frees every subscription on cancel", async () => {
    const WATCHERS = 1000;
    const CONNECTIONS = 1000; // one per watcher, as 1,000 workload processes would connect
    const h = await startHarness();
    const clients = Array.from({ length: CONNECTIONS }, () => h.client());
    const started = Date.now();
    const readers = Array.from({ length: WATCHERS }, (_, i) =>
      StreamReader.open<X509SvidResponse>(clients[i % CONNECTIONS]!, "FetchX509SVID"),
    );
    await Promise.all(readers.map((r) => r.messagesAt(1, 30_000)));
    assert.equal(h.source.subscriptions, WATCHERS);
    assert.equal(h.server.stats().connections, CONNECTIONS);
    const initialMs = Date.now() - started;
    const renewed = await pki.issueSvid(WEB, { hint: "internal" });
    h.source.grants[0] = { selector: "unix:uid:1000", svid: renewed };
    const changed = Date.now();
    h.source.notify();
    await Promise.all(readers.map((r) => r.messagesAt(2, 30_000)));
    const updateMs = Date.now() - changed;
    for (const r of readers) {
      assert.equal(r.messages.length, 2);
      assert.deepEqual(new Uint8Array(r.messages[1]!.svids[0]!.x509_svid), renewed.certificates[0]);
    }
    for (const r of readers) r.call.cancel();
    await eventually(() => h.source.subscriptions === 0, 10_000, "every subscription to be released");
    assert.equal(h.server.stats().streams, 0);
    for (const c of clients) c.close();
    await eventually(() => h.server.stats().connections === 0, 10_000, "every connection to be forgotten");
    console.log(`1,000 watchers on ${CONNECTIONS} connections: initial ${initialMs} ms, update to all ${updateMs} ms`);
  });
});
