import assert from "node:assert/strict";
import { connect as connectHttp2, type IncomingHttpHeaders } from "node:http2";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../../test/support/temp-dir.js";
import { startWorkloadApiServer, type WorkloadApiServer } from "./start-workload-api-server.js";
import { callerWithUid, createTestPki, TestSource } from "./test-support.js";

const WEB = "spiffe://example.org/web";

interface RawAnswer {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  /** Bytes of messages received. */
  bytes: number;
}

/** One request on a fresh HTTP/2 connection, read to its end: what a gRPC client sees on the wire. */
function rawCall(socketPath: string, headers: Record<string, string>, body?: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = connectHttp2("http://localhost", { createConnection: () => connect(socketPath) });
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": "/SpiffeWorkloadAPI/FetchX509SVID",
      "content-type": "application/grpc",
      te: "trailers",
      "workload.spiffe.io": "true",
      ...headers,
    });
    const answer: RawAnswer = { headers: {}, trailers: {}, bytes: 0 };
    stream.on("response", (h) => (answer.headers = h));
    stream.on("trailers", (t) => (answer.trailers = t));
    stream.on("data", (chunk: Buffer) => (answer.bytes += chunk.length));
    stream.on("close", () => {
      session.close();
      resolve(answer);
    });
    stream.on("error", reject);
    stream.end(body ?? Buffer.from([0, 0, 0, 0, 0]));
  });
}

/** The gRPC status of an answer: from the trailers, or from the headers of a trailers-only answer. */
const statusOf = (a: RawAnswer) => Number(a.trailers["grpc-status"] ?? a.headers["grpc-status"]);
const messageOf = (a: RawAnswer) => String(a.trailers["grpc-message"] ?? a.headers["grpc-message"]);

describe("the Workload API's gRPC transport, on the wire", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: WorkloadApiServer;
  let source: TestSource;
  let socketPath: string;

  before(async () => {
    temp = await makeTempDir("grpc-server");
    const pki = await createTestPki(temp.path);
    source = TestSource.forPki(pki);
    source.grants.push({ selector: "unix:uid:1000", svid: await pki.issueSvid(WEB) });
    socketPath = `${temp.path}/api.sock`;
    server = await startWorkloadApiServer({ socketPath, source, attest: async () => callerWithUid(1000) });
  });
  after(async () => {
    await server.close();
    await temp.remove();
  });

  it("ends a stream at its grpc-timeout with DeadlineExceeded, after the first response, and frees its subscription", async () => {
    const answer = await rawCall(socketPath, { "grpc-timeout": "300m" });
    assert.equal(answer.headers[":status"], 200);
    assert.match(String(answer.headers["content-type"]), /^application\/grpc/);
    assert.ok(answer.bytes > 5, "the first response was sent");
    assert.equal(answer.headers.date, undefined, "gRPC responses carry no date header");
    assert.equal(statusOf(answer), 4);
    assert.equal(source.subscriptions, 0);
  });

  it("answers Unimplemented, trailers only, to a method the service does not have", async () => {
    const answer = await rawCall(socketPath, { ":path": "/SpiffeWorkloadAPI/FetchEverything" });
    assert.equal(answer.headers[":status"], 200);
    assert.equal(statusOf(answer), 12);
    assert.equal(answer.bytes, 0);
    assert.equal(answer.headers.date, undefined);
  });

  it("answers HTTP 415 to a request that is not gRPC, and 405 to one that is not a POST", async () => {
    assert.equal((await rawCall(socketPath, { "content-type": "application/json" })).headers[":status"], 415);
    assert.equal((await rawCall(socketPath, { ":method": "PUT" })).headers[":status"], 405);
  });

  it("answers a compressed request with Internal, and a refused one with its status and message", async () => {
    const compressed = await rawCall(socketPath, { "grpc-encoding": "gzip" }, Buffer.from([1, 0, 0, 0, 0]));
    assert.equal(statusOf(compressed), 13);
    const denied = await rawCall(socketPath, { "workload.spiffe.io": "false" });
    assert.equal(statusOf(denied), 3);
    assert.equal(messageOf(denied), "security header missing from request");
    assert.equal(source.subscriptions, 0);
  });
});
