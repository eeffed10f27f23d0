import { credentials, loadPackageDefinition } from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { connect as connectHttp2, constants } from "node:http2";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../../test/support/temp-dir.js";
import { startWorkloadApiServer, type WorkloadApiServer } from "./start-workload-api-server.js";
import { callerWithUid, callUnary, createTestPki, StreamReader, TestSource, type WorkloadClient } from "./test-support.js";
import { loadWorkloadApiPackage, WORKLOAD_API_SERVICE } from "./workload-api-definition.js";

const WEB = "spiffe://example.org/web";

/** A grpc-js client that sends `authority` as :authority, as grpc-java sends the socket path. */
function clientWithAuthority(socketPath: string, authority: string): WorkloadClient {
  const pkg = loadPackageDefinition(loadWorkloadApiPackage());
  const Constructor = pkg[WORKLOAD_API_SERVICE] as unknown as new (target: string, creds: unknown, options: object) => WorkloadClient;
  return new Constructor(`unix://${socketPath}`, credentials.createInsecure(), {
    "grpc.default_authority": authority,
    "grpc.use_local_subchannel_pool": 1,
  });
}

/** The outcome of one raw HTTP/2 request with exactly these headers. */
function rawRequest(socketPath: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const session = connectHttp2("http://localhost", { createConnection: () => connect(socketPath) });
    session.on("error", (err: Error) => resolve(`session error: ${err.message}`));
    const stream = session.request({
      ":method": "POST",
      ":scheme": "http",
      "content-type": "application/grpc",
      te: "trailers",
      "workload.spiffe.io": "true",
      ...headers,
    });
    stream.on("response", (h) => resolve(`status ${h[":status"]}`));
    stream.on("close", () => {
      resolve(`closed with code ${stream.rstCode}`);
      session.destroy();
    });
    stream.on("error", () => undefined);
    stream.end();
  });
}

describe("Workload API server: any :authority a gRPC client sends on the Unix socket", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: WorkloadApiServer;
  let socketPath: string;
  const clients: WorkloadClient[] = [];

  before(async () => {
    temp = await makeTempDir("bridge");
    const pki = await createTestPki(temp.path);
    const source = TestSource.forPki(pki);
    source.grants.push({ selector: "unix:uid:1000", svid: await pki.issueSvid(WEB) });
    socketPath = `${temp.path}/run/api.sock`;
    server = await startWorkloadApiServer({ socketPath, source, attest: async () => callerWithUid(1000) });
  });

  after(async () => {
    for (const c of clients) c.close();
    await server.close();
    await temp.remove();
  });

  for (const [label, authority] of [
    ["the socket path (grpc-java, grpcurl)", () => socketPath],
    ["the percent-encoded path", () => encodeURIComponent(socketPath)],
    ["localhost (go-spiffe)", () => "localhost"],
  ] as const) {
    it(`serves every call on one connection when :authority is ${label}`, async () => {
      const client = clientWithAuthority(socketPath, authority());
      clients.push(client);
      // Several calls on one connection: after the first, clients send the authority as an index.
      for (let i = 0; i < 3; i++) {
        const jwt = await callUnary<{ svids: { spiffe_id: string }[] }>(client, "FetchJWTSVID", { audience: ["orders"] });
        assert.equal(jwt.svids[0]!.spiffe_id, WEB);
      }
      const [x509] = await StreamReader.open<{ svids: { spiffe_id: string }[] }>(client, "FetchX509SVID").messagesAt(1);
      assert.equal(x509!.svids[0]!.spiffe_id, WEB);
    });
  }

  it("still refuses an :authority that no client sends: a space, a control character", async () => {
    for (const authority of ["a b", "x\ty"]) {
      assert.equal(
        await rawRequest(socketPath, { ":path": "/SpiffeWorkloadAPI/FetchJWTBundles", ":authority": authority }),
        `closed with code ${constants.NGHTTP2_PROTOCOL_ERROR}`,
      );
    }
  });

  it("answers a plain HTTP/2 request whose :authority is the socket path", async () => {
    assert.equal(await rawRequest(socketPath, { ":path": "/SpiffeWorkloadAPI/FetchJWTBundles", ":authority": socketPath }), "status 200");
  });
});
