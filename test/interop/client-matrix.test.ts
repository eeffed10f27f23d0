// Every SPIFFE client Tessera claims, against the real agent joined to a real dev issuer: each
// fetches and validates an X.509-SVID and a JWT-SVID, then follows the agent's renewal of the SVID
// on a watch. A client that cannot be built on this machine is reported skipped, with the reason.
// Ends with the matrix, one line per client and version.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { startClient, type ClientEvent } from "./client-process.js";
import { startInteropAgent, type InteropAgent } from "./interop-agent.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const TD = "example.org";
const WEB = `spiffe://${TD}/interop/matrix`;
const AUDIENCE = "orders";

interface Built {
  ok: boolean;
  value?: string;
  reason?: string;
}
interface MatrixRow {
  client: string;
  version: string;
  result: string;
}

/** The pinned version of each client, read from the file that pins it. */
function pinnedVersions() {
  const read = (path: string) => readFileSync(join(root, path), "utf8");
  const pom = read("test/interop/java/pom.xml");
  const pomProperty = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(pom)![1]!;
  const lock = read("test/interop/rust/Cargo.lock");
  return {
    goSpiffe: /github\.com\/spiffe\/go-spiffe\/v2 (v\S+)/.exec(read("test/interop/go-workload-client/go.mod"))![1]!,
    pySpiffe: /^spiffe==(\S+)/m.exec(read("test/interop/python/requirements.txt"))![1]!,
    javaSpiffe: pomProperty("java-spiffe.version"),
    grpcJava: pomProperty("grpc.version"),
    grpcurl: /GRPCURL_VERSION = "([^"]+)"/.exec(read("scripts/interop-setup.mjs"))![1]!,
    rustSpiffe: /name = "spiffe"\nversion = "([^"]+)"/.exec(lock)![1]!,
  };
}

/** Build the clients beyond go-spiffe and py-spiffe; what could not be built comes back with its reason. */
function buildMatrixClients(): Record<"java" | "grpcurl" | "rust", Built> {
  const script = `import(${JSON.stringify(join(root, "scripts/interop-setup.mjs"))}).then((m) => { m.ensureInteropClients(); console.log("MATRIX " + JSON.stringify(m.ensureMatrixClients())); })`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("MATRIX "));
  assert.ok(line, `scripts/interop-setup.mjs failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line.slice("MATRIX ".length)) as Record<"java" | "grpcurl" | "rust", Built>;
}

/** Run a JSON-lines client to the end and check the steps every client must take. */
async function runLinesClient(command: string, args: string[], socketPath: string): Promise<ClientEvent[]> {
  const client = startClient(command, [...args, "--expect-spiffe-id", WEB, "--audience", AUDIENCE, "--updates", "1"], socketPath);
  const { code, stderr } = await client.exited;
  const trace = `${JSON.stringify(client.events)}\n${stderr.slice(-4000)}`;
  assert.equal(code, 0, trace);
  const x509 = client.events.find((e) => e.event === "x509");
  assert.equal(x509?.spiffe_id, WEB, trace);
  assert.equal(client.events.find((e) => e.event === "jwt")?.validated_both, true, trace);
  const watching = client.events.find((e) => e.event === "watching");
  const update = client.events.find((e) => e.event === "update");
  assert.equal(update?.spiffe_id, WEB, trace);
  assert.notEqual(update?.serial, watching?.serial, `the update carries the renewed SVID\n${trace}`);
  return client.events;
}

/** Split concatenated DER certificates. */
function splitDer(der: Buffer): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (let at = 0; at < der.length;) {
    const lengthByte = der[at + 1]!;
    const lengthBytes = lengthByte & 0x80 ? lengthByte & 0x7f : 0;
    const length = lengthBytes ? der.readUIntBE(at + 2, lengthBytes) : lengthByte;
    const end = at + 2 + lengthBytes + length;
    out.push(new X509Certificate(der.subarray(at, end)));
    at = end;
  }
  return out;
}

/** The SPIFFE ID of a Workload API X509SVID message (grpcurl's JSON), verified against its bundle. */
function verifiedSvid(svid: { spiffeId: string; x509Svid: string; bundle: string }): { id: string; serial: string } {
  const [leaf] = splitDer(Buffer.from(svid.x509Svid, "base64"));
  const cas = splitDer(Buffer.from(svid.bundle, "base64"));
  assert.ok(
    cas.some((ca) => leaf!.checkIssued(ca) && leaf!.verify(ca.publicKey)),
    "the SVID is signed by a CA of its bundle",
  );
  assert.equal(leaf!.subjectAltName, `URI:${svid.spiffeId}`);
  return { id: svid.spiffeId, serial: leaf!.serialNumber };
}

/** grpcurl over the Unix socket with its default authority, against the service's .proto. */
function grpcurlArgs(socketPath: string, method: string, request: object): string[] {
  return [
    "-plaintext",
    "-unix",
    "-max-time",
    "60",
    "-import-path",
    join(root, "agent/workloadapi"),
    "-proto",
    "workload.proto",
    "-H",
    "workload.spiffe.io: true",
    "-d",
    JSON.stringify(request),
    socketPath,
    `SpiffeWorkloadAPI/${method}`,
  ];
}

/** Run grpcurl to its end (never spawnSync: the agent answering it runs in this process). */
function runGrpcurl(
  binary: string,
  socketPath: string,
  method: string,
  request: object,
): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, grpcurlArgs(socketPath, method, request), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.once("close", (status) => resolve({ status, out, err }));
  });
}

/** grpcurl prints each message of a stream as indented JSON; a top-level object ends with "}" alone on a line. */
function splitMessages(out: string): unknown[] {
  return out
    .split(/^}$/m)
    .filter((part) => part.trim())
    .map((part) => JSON.parse(`${part}}`) as unknown);
}

describe("interoperability matrix: SPIFFE clients against the real agent", () => {
  const versions = pinnedVersions();
  const matrix: MatrixRow[] = [];
  let built: ReturnType<typeof buildMatrixClients>;
  let running: InteropAgent | undefined;
  let socketPath: string;

  before(async () => {
    built = buildMatrixClients();
    running = await startInteropAgent({ name: "matrix", trustDomain: TD, spiffeId: WEB });
    socketPath = running.socketPath;
  });

  after(async () => {
    await running?.stop();
  });

  /** One matrix row: pass, a failure, or skipped with the reason the client could not be built. */
  async function row(
    t: TestContext,
    client: string,
    version: string,
    built: Built | undefined,
    body: (value: string) => Promise<void>,
  ): Promise<void> {
    if (built && !built.ok) {
      matrix.push({ client, version, result: `skipped: ${built.reason}` });
      t.skip(built.reason);
      return;
    }
    try {
      await body(built?.value ?? "");
      matrix.push({ client, version, result: "pass" });
    } catch (err) {
      matrix.push({ client, version, result: "FAIL" });
      throw err;
    }
  }

  it(`go-spiffe ${versions.goSpiffe}: workloadapi, x509svid.Verify, jwtsvid.ParseAndValidate, a watched renewal`, async (t) => {
    await row(t, "go-spiffe", versions.goSpiffe, undefined, async () => {
      await runLinesClient(join(root, "build/interop/go-workload-client"), [], socketPath);
    });
  });

  it(`py-spiffe ${versions.pySpiffe}: WorkloadApiClient, X509Source, JwtSvid, a watched renewal`, async (t) => {
    await row(t, "py-spiffe", versions.pySpiffe, undefined, async () => {
      await runLinesClient(join(root, "build/interop/venv/bin/python"), [join(root, "test/interop/python/workload_client.py")], socketPath);
    });
  });

  it(`java-spiffe ${versions.javaSpiffe} (stock): X509Source, X509SvidValidator, SpiffeSslContextFactory mTLS, JwtSource, JwtSvid.parseAndValidate, a watched renewal`, async (t) => {
    await row(t, "java-spiffe", `${versions.javaSpiffe} (grpc-java ${versions.grpcJava})`, built.java, async (classpath) => {
      const events = await runLinesClient("java", ["-cp", classpath, "tessera.interop.JavaSpiffeClient"], socketPath);
      assert.match(String(events.find((e) => e.event === "mtls")?.server_saw), new RegExp(`^ping from ${WEB}$`));
    });
  });

  it(`grpc-java ${versions.grpcJava}: a plain channel to unix://<socket> with the default authority (the path)`, async (t) => {
    await row(t, "grpc-java", versions.grpcJava, built.java, async (classpath) => {
      const events = await runLinesClient("java", ["-cp", classpath, "tessera.interop.GrpcJavaClient"], socketPath);
      assert.match(String(events.find((e) => e.event === "channel")?.authority), /\//, "the channel's authority is the socket path");
    });
  });

  it(`grpcurl ${versions.grpcurl}: -unix with its default authority, every call, a watched renewal`, async (t) => {
    await row(t, "grpcurl", versions.grpcurl, built.grpcurl, async (binary) => {
      // FetchX509SVID is a stream: the first response is the fetch, the next one the renewal.
      const watch = spawn(binary, grpcurlArgs(socketPath, "FetchX509SVID", {}), { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      watch.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      watch.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      try {
        const deadline = Date.now() + 45_000;
        while (splitMessages(out).length < 2 && Date.now() < deadline && watch.exitCode === null)
          await new Promise((r) => setTimeout(r, 200));
        const messages = splitMessages(out) as { svids: { spiffeId: string; x509Svid: string; bundle: string }[] }[];
        assert.ok(messages.length >= 2, `two responses on the stream (the first, then the renewal)\n${out}\n${err}`);
        const first = verifiedSvid(messages[0]!.svids[0]!);
        const renewed = verifiedSvid(messages[1]!.svids[0]!);
        assert.equal(first.id, WEB);
        assert.equal(renewed.id, WEB);
        assert.notEqual(renewed.serial, first.serial);
      } finally {
        watch.kill("SIGKILL");
      }

      const jwt = await runGrpcurl(binary, socketPath, "FetchJWTSVID", { audience: [AUDIENCE], spiffeId: WEB });
      assert.equal(jwt.status, 0, jwt.err);
      const token = (JSON.parse(jwt.out) as { svids: { svid: string }[] }).svids[0]!.svid;
      const valid = await runGrpcurl(binary, socketPath, "ValidateJWTSVID", { audience: AUDIENCE, svid: token });
      assert.equal(valid.status, 0, valid.err);
      assert.equal((JSON.parse(valid.out) as { spiffeId: string }).spiffeId, WEB);
      const other = await runGrpcurl(binary, socketPath, "ValidateJWTSVID", { audience: `${AUDIENCE}-other`, svid: token });
      assert.notEqual(other.status, 0, "a token for another audience is refused");
      assert.match(other.err, /InvalidArgument/);
    });
  });

  it(`Rust spiffe ${versions.rustSpiffe}: WorkloadApiClient, X.509 and JWT, a watched renewal`, async (t) => {
    await row(t, "rust spiffe", versions.rustSpiffe, built.rust, async (binary) => {
      await runLinesClient(binary, [], socketPath);
    });
  });

  it("prints the matrix; java-spiffe's stock client passes", (t) => {
    const lines = matrix.map((r) => `interop matrix: ${r.client.padEnd(12)} ${r.version.padEnd(28)} ${r.result}`);
    for (const line of lines) {
      console.log(line);
      t.diagnostic(line);
    }
    assert.equal(matrix.find((r) => r.client === "java-spiffe")?.result, "pass");
  });
});
