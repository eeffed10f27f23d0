// The Workload API server with the real workload attestation (SO_PEERCRED and /proc): a process
// of another uid on the same machine gets only what its own selectors grant.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { cp, readFile, rm } from "node:fs/promises";
import type { Socket } from "node:net";
import { dirname, join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { attestUnix, readPeerCredentials } from "../attestation/index.js";
import { canSwitchUser, createSharedTempDir, runAsUser, unprivilegedUser } from "../attestation/test-support.js";
import { startWorkloadApiServer, type WorkloadApiServer } from "./start-workload-api-server.js";
import { createTestPki, createWorkloadClient, StreamReader, TestSource, type TestPki } from "./test-support.js";
import type { CallerIdentity } from "./types.js";
import { WORKLOAD_API_PROTO_PATH } from "./workload-api-definition.js";

const WEB = "spiffe://example.org/web";
const NOBODY_APP = "spiffe://example.org/nobody-app";
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const addonBuilt = existsSync(join(repoRoot, "agent/native/build/Release/peercred.node"));
const skip = !canSwitchUser()
  ? "needs root to run a client as another uid"
  : !addonBuilt
    ? "peercred addon not built (node scripts/build-native.mjs)"
    : false;

// Run as another uid: fetch X.509-SVIDs and a JWT-SVID for WEB, print what came back as JSON. It
// loads gRPC and the proto from a copy in the shared temp directory: that uid may not read the checkout.
const CLIENT = `
import { createRequire } from "node:module";
const [socketPath, protoPath, anchor] = process.argv.slice(1);
const require = createRequire(anchor);
const grpc = require("@grpc/grpc-js");
const loader = require("@grpc/proto-loader");
const pkg = grpc.loadPackageDefinition(loader.loadSync(protoPath, { keepCase: true, defaults: true }));
const client = new pkg.SpiffeWorkloadAPI("unix://" + socketPath, grpc.credentials.createInsecure());
const md = new grpc.Metadata();
md.set("workload.spiffe.io", "true");
const out = { uid: process.getuid() };
out.x509 = await new Promise((resolve) => {
  const call = client.FetchX509SVID({}, md);
  call.on("data", (r) => { resolve({ ids: r.svids.map((s) => s.spiffe_id) }); call.cancel(); });
  call.on("error", (e) => resolve({ code: e.code, details: e.details }));
});
out.jwt = await new Promise((resolve) => {
  client.FetchJWTSVID({ audience: ["svc"], spiffe_id: "${WEB}" }, md, (e, r) => resolve(e ? { code: e.code } : { ids: r.svids.map((s) => s.spiffe_id) }));
});
console.log(JSON.stringify(out));
client.close();
`;

/**
 * Copy `names` and what they depend on from the checkout's node_modules into `dest`, keeping the
 * layout, so a uid that cannot read the checkout (a clone in a 0700 directory) can load them.
 */
async function copyModules(names: readonly string[], dest: string): Promise<void> {
  const copied = new Set<string>();
  const visit = async (name: string, from: string): Promise<void> => {
    let dir = from;
    while (!existsSync(join(dir, "node_modules", name))) {
      if (dir === repoRoot || dirname(dir) === dir) throw new Error(`test: cannot find module ${name} from ${from}`);
      dir = dirname(dir);
    }
    const source = join(dir, "node_modules", name);
    if (copied.has(source)) return;
    copied.add(source);
    await cp(source, join(dest, relative(repoRoot, source)), { recursive: true, dereference: true });
    const manifest = JSON.parse(await readFile(join(source, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) await visit(dep, source);
  };
  for (const name of names) await visit(name, repoRoot);
}

async function attest(socket: Socket): Promise<CallerIdentity> {
  const creds = readPeerCredentials(socket);
  return { pid: creds.pid, uid: creds.uid, gid: creds.gid, selectors: await attestUnix(creds, { sha256: false }) };
}

describe("Workload API server with Unix workload attestation", { skip }, () => {
  let dir: string;
  let pki: TestPki;
  let source: TestSource;
  let server: WorkloadApiServer;
  let socketPath: string;
  let clientDir: string;
  let protoPath: string;
  const warnings: Record<string, unknown>[] = [];

  before(async () => {
    dir = await createSharedTempDir("tessera-wlapi-");
    pki = await createTestPki(join(dir, "pki"));
    source = TestSource.forPki(pki);
    source.grants.push({ selector: "unix:uid:0", svid: await pki.issueSvid(WEB) });
    socketPath = join(dir, "api.sock");
    clientDir = join(dir, "client");
    protoPath = join(clientDir, "workload.proto");
    await copyModules(["@grpc/grpc-js", "@grpc/proto-loader"], clientDir);
    await cp(WORKLOAD_API_PROTO_PATH, protoPath);
    server = await startWorkloadApiServer({
      socketPath,
      source,
      attest,
      logger: { info: () => undefined, warn: (_m, fields) => void warnings.push(fields ?? {}), error: () => undefined },
    });
  });

  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function runClient(): Promise<{ uid: number; x509: { ids?: string[]; code?: number }; jwt: { ids?: string[]; code?: number } }> {
    const { uid, gid } = unprivilegedUser();
    const result = await runAsUser(uid, gid, CLIENT, { args: [socketPath, protoPath, join(clientDir, "package.json")] });
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout);
  }

  it("serves root's identity to root", async () => {
    const client = createWorkloadClient(socketPath);
    const [response] = await StreamReader.open<{ svids: { spiffe_id: string }[] }>(client, "FetchX509SVID").messagesAt(1);
    assert.deepEqual(
      response!.svids.map((s) => s.spiffe_id),
      [WEB],
    );
    client.close();
  });

  it("denies a second uid the identity selected for the first", async () => {
    const out = await runClient();
    assert.equal(out.uid, unprivilegedUser().uid);
    assert.equal(out.x509.code, 7, "FetchX509SVID: PERMISSION_DENIED");
    assert.equal(out.jwt.code, 7, "FetchJWTSVID for root's SPIFFE ID: PERMISSION_DENIED");
    assert.ok(
      warnings.some((w) => w.uid === out.uid),
      "the denial names the caller's uid",
    );
  });

  it("gives the second uid only its own identity once one selects it", async () => {
    source.grants.push({ selector: `unix:uid:${unprivilegedUser().uid}`, svid: await pki.issueSvid(NOBODY_APP) });
    const out = await runClient();
    assert.deepEqual(out.x509.ids, [NOBODY_APP]);
    assert.equal(out.jwt.code, 7, "still no JWT-SVID for root's SPIFFE ID");
  });
});
