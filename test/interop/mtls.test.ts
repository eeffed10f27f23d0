// Two workloads holding Tessera X.509-SVIDs, fetched from the Workload API, authenticate each other
// over mutual TLS with stock TLS stacks (node:tls and the openssl command), each reading the
// other's SPIFFE ID from the peer certificate's URI SAN.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, createServer, type PeerCertificate, type TLSSocket } from "node:tls";
import { encodeCertificatePem, parseCertificates } from "#tessera/core";
import { startWorkloadApiServer, type WorkloadApiServer } from "../../agent/workloadapi/index.js";
import { callerWithUid, createTestPki, createWorkloadClient, StreamReader, TestSource } from "../../agent/workloadapi/test-support.js";
import { makeTempDir } from "../support/temp-dir.js";
import { freePort } from "../support/free-port.js";

const WEB = "spiffe://example.org/web";
const DB = "spiffe://example.org/db";

/** What a TLS stack needs from one X.509-SVID of the Workload API: PEM chain, key and CAs. */
interface TlsMaterial {
  cert: string;
  key: string;
  ca: string;
}

interface X509SvidMessage {
  spiffe_id: string;
  x509_svid: Buffer;
  x509_svid_key: Buffer;
  bundle: Buffer;
}

function materialOf(svid: X509SvidMessage): TlsMaterial {
  return {
    cert: encodeCertificatePem(parseCertificates(new Uint8Array(svid.x509_svid))),
    key: createPrivateKey({ key: svid.x509_svid_key, format: "der", type: "pkcs8" }).export({ format: "pem", type: "pkcs8" }) as string,
    ca: encodeCertificatePem(parseCertificates(new Uint8Array(svid.bundle))),
  };
}

/** The SPIFFE ID in a peer certificate (its one URI SAN), or undefined. */
function spiffeIdOf(cert: PeerCertificate): string | undefined {
  const uris = (cert.subjectaltname ?? "").split(", ").filter((n) => n.startsWith("URI:"));
  return uris.length === 1 ? uris[0]!.slice(4) : undefined;
}

/** SPIFFE peers are authorized by SPIFFE ID, not host name. */
function expectServer(id: string) {
  return (_host: string, cert: PeerCertificate) =>
    spiffeIdOf(cert) === id ? undefined : new Error(`server is ${spiffeIdOf(cert)}, not ${id}`);
}

/** A TLS server requiring a client SVID; resolves each accepted peer's SPIFFE ID. */
async function startTlsServer(material: TlsMaterial): Promise<{ port: number; peers: string[]; close(): void }> {
  const peers: string[] = [];
  const server = createServer({ ...material, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2" }, (socket) => {
    peers.push(spiffeIdOf(socket.getPeerCertificate()) ?? "none");
    socket.end("hello from web\n");
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, peers, close: () => server.close() };
}

/** Connect with a client SVID; resolves with the server's SPIFFE ID and what it said. */
function connectTls(port: number, material: TlsMaterial, expect: string): Promise<{ server: string | undefined; data: string }> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: "127.0.0.1", port, ...material, checkServerIdentity: expectServer(expect) }, () => {
      assert.ok(socket.authorized, String(socket.authorizationError));
    });
    let data = "";
    socket.setEncoding("utf8").on("data", (d: string) => (data += d));
    socket.on("error", reject);
    socket.on("end", () => resolve({ server: spiffeIdOf(socket.getPeerCertificate()), data }));
  });
}

/** A connection that the server must refuse: resolves true when the client got no data from it. */
async function isRefused(port: number, material: TlsMaterial, expect: string): Promise<boolean> {
  try {
    const { data } = await connectTls(port, material, expect);
    return data === "";
  } catch {
    return true;
  }
}

/** Run openssl; a server (`onOutput` given) keeps stdin open, since s_server quits at its end. */
function runOpenssl(args: string[], onOutput?: (text: string) => void): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("openssl", args, { stdio: [onOutput ? "pipe" : "ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (d: Buffer) => {
      output += d.toString();
      onOutput?.(output);
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("mutual TLS between two workloads holding Tessera X.509-SVIDs", () => {
  let temp: { path: string; remove(): Promise<void> };
  let api: WorkloadApiServer;
  let web: TlsMaterial;
  let db: TlsMaterial;
  let impostor: TlsMaterial;

  before(async () => {
    temp = await makeTempDir("mtls");
    const pki = await createTestPki(temp.path);
    const source = TestSource.forPki(pki);
    source.grants.push({ selector: "unix:uid:1000", svid: await pki.issueSvid(WEB, { hint: "server" }) });
    source.grants.push({ selector: "unix:uid:1000", svid: await pki.issueSvid(DB, { hint: "client" }) });
    const socketPath = join(temp.path, "api.sock");
    api = await startWorkloadApiServer({ socketPath, source, attest: async () => callerWithUid(1000) });
    const client = createWorkloadClient(socketPath);
    const [response] = await StreamReader.open<{ svids: X509SvidMessage[] }>(client, "FetchX509SVID").messagesAt(1);
    client.close();
    [web, db] = response!.svids.map(materialOf) as [TlsMaterial, TlsMaterial];
    const other = await createTestPki(join(temp.path, "impostor"));
    const fake = await other.issueSvid(DB);
    impostor = {
      cert: encodeCertificatePem(fake.certificates),
      key: createPrivateKey({ key: Buffer.from(fake.privateKey), format: "der", type: "pkcs8" }).export({
        format: "pem",
        type: "pkcs8",
      }) as string,
      ca: web.ca,
    };
    for (const [name, m] of Object.entries({ web, db })) {
      await writeFile(join(temp.path, `${name}.pem`), m.cert);
      await writeFile(join(temp.path, `${name}-key.pem`), m.key);
    }
    await writeFile(join(temp.path, "bundle.pem"), web.ca);
  });

  after(async () => {
    await api?.close();
    await temp?.remove();
  });

  it("node:tls server and client authenticate each other and read each other's SPIFFE ID", async () => {
    const server = await startTlsServer(web);
    try {
      const result = await connectTls(server.port, db, WEB);
      assert.equal(result.server, WEB);
      assert.equal(result.data, "hello from web\n");
      assert.deepEqual(server.peers, [DB]);
    } finally {
      server.close();
    }
  });

  it("refuses a client whose SVID the bundle did not sign, and a server with the wrong SPIFFE ID", async () => {
    const server = await startTlsServer(web);
    try {
      // In TLS 1.3 the server judges the client's certificate after the client's handshake is done,
      // so the client learns of the refusal as an alert or a close without data.
      assert.ok(await isRefused(server.port, impostor, WEB), "the impostor client got through");
      await assert.rejects(connectTls(server.port, db, "spiffe://example.org/not-web"), /not spiffe:\/\/example.org\/not-web/);
      assert.deepEqual(server.peers, []);
    } finally {
      server.close();
    }
  });

  it("openssl verify accepts each SVID for its TLS role", async () => {
    for (const [leaf, purpose] of [
      ["web.pem", "sslserver"],
      ["db.pem", "sslclient"],
      ["web.pem", "sslclient"],
    ] as const) {
      const r = await runOpenssl([
        "verify",
        "-x509_strict",
        "-purpose",
        purpose,
        "-CAfile",
        join(temp.path, "bundle.pem"),
        join(temp.path, leaf),
      ]);
      assert.equal(r.code, 0, r.output);
    }
  });

  it("openssl s_client completes mutual TLS with a node:tls server", async () => {
    const server = await startTlsServer(web);
    try {
      const r = await runOpenssl([
        "s_client",
        "-connect",
        `127.0.0.1:${server.port}`,
        "-brief",
        "-verify_return_error",
        "-ignore_unexpected_eof",
        "-cert",
        join(temp.path, "db.pem"),
        "-key",
        join(temp.path, "db-key.pem"),
        "-CAfile",
        join(temp.path, "bundle.pem"),
      ]);
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /Verification: OK/);
      assert.deepEqual(server.peers, [DB]);
    } finally {
      server.close();
    }
  });

  it("a node:tls client completes mutual TLS with openssl s_server", async () => {
    const port = await freePort();
    let accepting!: () => void;
    const ready = new Promise<void>((resolve) => (accepting = resolve));
    const sServer = runOpenssl(
      [
        "s_server",
        "-accept",
        `127.0.0.1:${port}`,
        "-naccept",
        "1",
        "-Verify",
        "1",
        "-verify_return_error",
        "-cert",
        join(temp.path, "web.pem"),
        "-key",
        join(temp.path, "web-key.pem"),
        "-CAfile",
        join(temp.path, "bundle.pem"),
      ],
      (output) => /ACCEPT/.test(output) && accepting(),
    );
    await ready;
    const peer = await new Promise<string | undefined>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port, ...db, checkServerIdentity: expectServer(WEB) }, () => {
        const id = spiffeIdOf(socket.getPeerCertificate());
        socket.end();
        resolve(id);
      });
      socket.on("error", reject);
    });
    assert.equal(peer, WEB);
    const { code, output } = await sServer;
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, /verify error/i);
  });
});
