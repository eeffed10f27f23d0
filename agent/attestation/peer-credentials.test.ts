import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { chmod, rm } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PeerCredentialsError, attestUnix, readPeerCredentials, type PeerCredentials } from "./index.js";
import { canSwitchUser, createSharedTempDir, runAsUser, unprivilegedUser } from "./test-support.js";

const nodePath = realpathSync(process.execPath);
const nodeSha256 = createHash("sha256").update(readFileSync(nodePath)).digest("hex");
const other = canSwitchUser() ? unprivilegedUser() : { uid: process.getuid!(), gid: process.getgid!() };

// A client that connects to argv[1], then waits for the server's word (or exits at once).
const CLIENT = `
import { connect } from "node:net";
const socket = connect(process.argv[1], () => { if (process.argv[2] === "exit") process.exit(0); });
socket.on("data", () => socket.end());
`;

interface Accepted {
  socket: Socket;
  creds: PeerCredentials;
}

/** A Unix socket server that anyone may connect to, reading peer credentials at accept time. */
function listen(path: string): Promise<{ server: Server; next: () => Promise<Accepted> }> {
  const waiting: ((a: Accepted) => void)[] = [];
  const ready: Accepted[] = [];
  const server = createServer((socket) => {
    socket.on("error", () => {});
    const accepted = { socket, creds: readPeerCredentials(socket) };
    const resolve = waiting.shift();
    if (resolve) resolve(accepted);
    else ready.push(accepted);
  });
  const next = () => {
    const a = ready.shift();
    return a ? Promise.resolve(a) : new Promise<Accepted>((resolve) => waiting.push(resolve));
  };
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      chmod(path, 0o777).then(() => resolve({ server, next }), reject);
    });
  });
}

describe("readPeerCredentials", () => {
  let dir: string;
  let path: string;
  let server: Server;
  let next: () => Promise<Accepted>;

  before(async () => {
    dir = await createSharedTempDir();
    path = join(dir, "api.sock");
    ({ server, next } = await listen(path));
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("sees this process when it connects to itself", async () => {
    const client = createConnection(path);
    const { socket, creds } = await next();
    assert.equal(creds.pid, process.pid);
    assert.equal(creds.uid, process.getuid!());
    assert.equal(creds.gid, process.getgid!());
    const ownStat = readFileSync("/proc/self/stat", "latin1");
    assert.equal(creds.startTime, ownStat.slice(ownStat.lastIndexOf(")") + 2).split(" ")[19]);
    assert.deepEqual(readPeerCredentials(socket, { startTime: false }), { pid: creds.pid, uid: creds.uid, gid: creds.gid });
    client.destroy();
    socket.destroy();
  });

  it("sees a child running as another user, with its executable", { skip: !canSwitchUser() && "needs root" }, async () => {
    const run = runAsUser(other.uid, other.gid, CLIENT, { args: [path] });
    const accepted = await next();
    const selectors = await attestUnix(accepted.creds);
    accepted.socket.write("done");
    const result = await run;

    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      { pid: accepted.creds.pid, uid: accepted.creds.uid, gid: accepted.creds.gid },
      { pid: result.pid, uid: other.uid, gid: other.gid },
    );
    assert.notEqual(accepted.creds.uid, 0);
    assert.ok(selectors.has(`unix:uid:${other.uid}`));
    assert.ok(selectors.has(`unix:gid:${other.gid}`));
    assert.ok(selectors.has(`unix:pid:${result.pid}`));
    assert.ok(!selectors.has("unix:uid:0"));
    assert.ok(!selectors.has("unix:user:root"));
    assert.ok(selectors.has(`unix:path:${nodePath}`), [...selectors].join(" "));
    assert.ok(selectors.has(`unix:sha256:${nodeSha256}`));
  });

  it("still yields the credential selectors of a client that exits at once", async () => {
    const result = await runAsUser(other.uid, other.gid, CLIENT, { args: [path, "exit"] });
    const { socket, creds } = await next();
    socket.destroy();
    const selectors = await attestUnix(creds);

    assert.equal(result.code, 0, result.stderr);
    assert.equal(creds.pid, result.pid);
    assert.deepEqual([...selectors].filter((s) => !/^unix:(user|group):/.test(s)).sort(), [
      `unix:gid:${other.gid}`,
      `unix:pid:${result.pid}`,
      `unix:uid:${other.uid}`,
    ]);
  });

  it("refuses a TCP socket (SO_PEERCRED would claim the overflow uid)", async () => {
    const tcp = createServer();
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    const accepted = new Promise<Socket>((resolve) => tcp.once("connection", resolve));
    const client = createConnection((tcp.address() as { port: number }).port, "127.0.0.1");
    const socket = await accepted;
    try {
      assert.throws(
        () => readPeerCredentials(socket),
        (err: unknown) => {
          assert.ok(err instanceof PeerCredentialsError);
          assert.equal(err.code, "ERR_PEER_CREDENTIALS");
          assert.match(err.message, /^attestation: peercred: not a Unix domain socket$/);
          return true;
        },
      );
    } finally {
      client.destroy();
      socket.destroy();
      await new Promise((resolve) => tcp.close(resolve));
    }
  });

  it("refuses a closed socket", async () => {
    const client = createConnection(path);
    const { socket } = await next();
    socket.destroy();
    client.destroy();
    assert.throws(() => readPeerCredentials(socket), { code: "ERR_PEER_CREDENTIALS", message: /no file descriptor/ });
  });
});
