// Hands each attested workload connection to grpc-js as a native socket, with the workload's bytes
// relayed through an AuthorityRewriter on the way. Node's HTTP/2 server reads a native socket's
// bytes in C++ (JavaScript never sees them), and wraps any other stream so that grpc-js can no
// longer tell one connection from another; so the agent opens a socket pair of its own: one end is
// injected into grpc-js, tagged with the connection's id, the other relays to the workload. The
// pair meets on a listener in a private directory (0700) and is matched by a random token that the
// injected end sends first; a connection with no known token is closed and never reaches gRPC.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthorityRewriter, type AuthorityRewriterOptions } from "./authority-rewriter.js";

const TOKEN_BYTES = 16;
/** How long a relay end may take to send its token. */
const TOKEN_TIMEOUT_MS = 5_000;

/** Relays from workload connections to grpc-js, through the authority rewriter. */
export interface Http2Bridge {
  /**
   * Relay `workload` to a new native socket, whose `remoteAddress` is `id`, given to `serve`.
   * `dropSettingsAck` removes the client's first SETTINGS acknowledgement (connection-opening.ts).
   */
  attach(workload: Socket, id: string, options?: AuthorityRewriterOptions): Promise<void>;
  close(): Promise<void>;
}

function readToken(socket: Socket): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), TOKEN_TIMEOUT_MS);
    const onReadable = (): void => {
      const token = socket.read(TOKEN_BYTES) as Buffer | null;
      if (token) finish(token);
    };
    function finish(token: Buffer | undefined): void {
      clearTimeout(timer);
      socket.off("readable", onReadable).off("close", onClose);
      resolve(token);
    }
    const onClose = (): void => finish(undefined);
    socket.on("readable", onReadable).once("close", onClose);
  });
}

/** Tie the lifetimes of `sockets`: when one closes, the others are destroyed (ties chain through a shared socket). */
function bindLifetimes(...sockets: Socket[]): void {
  for (const s of sockets) {
    s.on("error", () => undefined);
    s.once("close", () => {
      for (const other of sockets) other.destroy();
    });
  }
}

/** Start a bridge whose injected ends go to `serve` (grpc-js's connection injector). */
export async function startHttp2Bridge(serve: (socket: Socket) => void): Promise<Http2Bridge> {
  const directory = await mkdtemp(join(tmpdir(), "tessera-workloadapi-"));
  const path = join(directory, "bridge.sock");
  const waiting = new Map<string, (relay: Socket) => void>();
  const open = new Set<Socket>();

  const listener = createServer((relay) => {
    open.add(relay);
    relay.once("close", () => open.delete(relay));
    relay.on("error", () => undefined);
    void readToken(relay).then((token) => {
      const match = token && waiting.get(token.toString("hex"));
      if (!match) return relay.destroy();
      waiting.delete(token.toString("hex"));
      match(relay);
    });
  });
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(path, () => {
      listener.off("error", reject);
      resolve();
    });
  });

  return {
    async attach(workload, id, options) {
      const token = randomBytes(TOKEN_BYTES).toString("hex");
      const relayed = new Promise<Socket>((resolve) => waiting.set(token, resolve));
      const injected = connect(path);
      open.add(injected);
      injected.once("close", () => {
        open.delete(injected);
        waiting.delete(token);
      });
      bindLifetimes(workload, injected);
      const closed = new Promise<never>((_, reject) =>
        injected.once("close", () => reject(new Error("workloadapi: connection closed before it was bridged"))),
      );
      closed.catch(() => undefined);
      const sent = new Promise<void>((resolve, reject) => {
        injected.once("connect", () => injected.write(Buffer.from(token, "hex"), (err) => (err ? reject(err) : resolve())));
      });
      await Promise.race([sent, closed]);
      const relay = await Promise.race([relayed, closed]);
      bindLifetimes(workload, relay);
      workload
        .pipe(new AuthorityRewriter(options))
        .on("error", () => workload.destroy())
        .pipe(relay);
      relay.pipe(workload);
      Object.defineProperty(injected, "remoteAddress", { value: id, configurable: true });
      serve(injected);
    },
    async close() {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const socket of open) socket.destroy();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
