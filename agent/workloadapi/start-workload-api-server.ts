import { createServer, type Socket } from "node:net";
import { admitCall, isCallStatus, toServiceError, type HandlerContext } from "./call-context.js";
import { SERVER_PREFACE, awaitConnectionOpening } from "./connection-opening.js";
import { createGrpcServer, type GrpcMethod, type StreamCall } from "./grpc-server.js";
import { GrpcStatus } from "./grpc-status.js";
import { startHttp2Bridge, type Http2Bridge } from "./http2-bridge.js";
import { createJwtHandlers } from "./jwt-handlers.js";
import type { CallerIdentity, WorkloadApiSource } from "./types.js";
import { listenOnSocket, prepareSocketPath, removeSocket } from "./unix-socket.js";
import { createWatchHandlers } from "./watch-handlers.js";
import { decodeRequest, WORKLOAD_API_ENCODERS } from "./workload-api-codec.js";

/** The service's name in workload.proto: method paths are `/SpiffeWorkloadAPI/<Method>`. */
const SERVICE = "SpiffeWorkloadAPI";

/** Largest request accepted. Requests carry at most a few audiences or one JWT-SVID; 64 KiB is ample. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Largest response sent: what gRPC clients accept by default. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Streams open at once on one connection; a workload needs a handful, each one costs a subscription. */
export const MAX_STREAMS_PER_CONNECTION = 256;

/** Options of `startWorkloadApiServer`. */
export interface StartWorkloadApiServerOptions {
  /** Absolute path of the Unix socket; its directory is created (0755) when missing. */
  socketPath: string;
  source: WorkloadApiSource;
  /** Workload attestation of one accepted connection, from its peer credentials. */
  attest: (socket: Socket) => Promise<CallerIdentity>;
  logger?: HandlerContext["logger"];
}

/** A running Workload API server. */
export interface WorkloadApiServer {
  readonly socketPath: string;
  /** Open connections and streams, for health reports. */
  stats(): { connections: number; streams: number };
  /** Stop accepting, end every call and connection, remove the socket file. */
  close(): Promise<void>;
}

/** How long a client gets to open its first call before its connection is relayed anyway. */
const OPENING_TIMEOUT_MS = 1_000;

/** How long open calls get to finish when the server closes, before their connections are cut. */
const SHUTDOWN_GRACE_MS = 2_000;

const silentLogger: HandlerContext["logger"] = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Answers Unimplemented (after the security header check) for a profile Tessera does not serve. */
function unimplemented(ctx: HandlerContext): GrpcMethod {
  const handler = (call: StreamCall) => {
    const caller = admitCall(call, ctx);
    const answer = isCallStatus(caller) ? caller : { code: GrpcStatus.UNIMPLEMENTED, details: "the WIT-SVID profile is not implemented" };
    call.emit("error", toServiceError(answer));
  };
  return { kind: "stream", handler };
}

function createMethods(ctx: HandlerContext): Record<string, GrpcMethod> {
  const methods: Record<string, GrpcMethod> = { FetchWITSVID: unimplemented(ctx), FetchWITBundles: unimplemented(ctx) };
  for (const [name, handler] of Object.entries(createWatchHandlers(ctx))) methods[name] = { kind: "stream", handler };
  for (const [name, handler] of Object.entries(createJwtHandlers(ctx))) methods[name] = { kind: "unary", handler };
  return methods;
}

/**
 * Serve the SPIFFE Workload API over gRPC on a Unix socket. Every accepted connection is attested
 * once, before gRPC sees it: the socket is tagged with a connection id as its `remoteAddress`,
 * which the gRPC server reports as `call.getPeer()`, and handlers look the caller up by that id. A
 * connection whose attestation fails is closed (the client reconnects and is attested anew).
 */
export async function startWorkloadApiServer(options: StartWorkloadApiServerOptions): Promise<WorkloadApiServer> {
  const { socketPath, source, attest } = options;
  const logger = options.logger ?? silentLogger;
  const callers = new Map<string, CallerIdentity>();
  const sockets = new Set<Socket>();
  const streams = new Set<() => void>();
  let nextConnection = 0;
  let closing: Promise<void> | undefined;

  await prepareSocketPath(socketPath);
  const ctx: HandlerContext = {
    source,
    logger,
    encoders: WORKLOAD_API_ENCODERS,
    callerOf: (peer) => callers.get(peer),
    trackStream: (end) => {
      const entry = () => end();
      streams.add(entry);
      return () => streams.delete(entry);
    },
  };
  const grpc = createGrpcServer({
    service: SERVICE,
    methods: createMethods(ctx),
    decode: decodeRequest,
    maxRequestBytes: MAX_REQUEST_BYTES,
    maxConcurrentStreams: MAX_STREAMS_PER_CONNECTION,
  });
  const serve = (socket: Socket) => grpc.server.emit("connection", socket);
  // Only clients that send a socket path as their authority (grpc-java) need the relay: most agents
  // never start it. A start that failed is tried again by the next such connection.
  let bridge: Promise<Http2Bridge> | undefined;
  const startBridge = (): Promise<Http2Bridge> => {
    const starting = (bridge ??= startHttp2Bridge(serve));
    starting.catch(() => {
      if (bridge === starting) bridge = undefined;
    });
    return starting;
  };

  const accept = async (socket: Socket): Promise<void> => {
    sockets.add(socket);
    const id = `workload-connection-${++nextConnection}`;
    socket.once("close", () => {
      sockets.delete(socket);
      callers.delete(id);
    });
    socket.on("error", () => undefined);
    // Attestation reads the peer credentials now, at accept; the client's opening is read meanwhile.
    const attested = attest(socket);
    socket.write(SERVER_PREFACE);
    const opening = awaitConnectionOpening(socket, OPENING_TIMEOUT_MS);
    let caller: CallerIdentity;
    try {
      caller = await attested;
    } catch (err) {
      logger.warn("workloadapi: workload attestation failed; connection closed", { connection: id, error: String(err) });
      socket.destroy();
      return;
    }
    const opened = await opening;
    if (!opened || socket.destroyed || closing) {
      socket.destroy();
      return;
    }
    callers.set(id, caller);
    if (opened.bytes.length > 0) socket.unshift(opened.bytes);
    // The gRPC server reads the peer of every call from the socket's remoteAddress: set to id here or by the bridge.
    if (opened.route === "native") {
      Object.defineProperty(socket, "remoteAddress", { value: id, configurable: true });
      serve(socket);
      return;
    }
    await startBridge()
      .then((relay) => relay.attach(socket, id, { dropSettingsAck: !opened.acknowledged }))
      .catch(() => socket.destroy());
  };
  const listener = createServer((socket) => void accept(socket));

  const inode = await listenOnSocket(listener, socketPath);
  listener.on("error", (err) => logger.error("workloadapi: socket listener failed", { socket: socketPath, error: String(err) }));
  logger.info("workloadapi: serving the SPIFFE Workload API", { socket: socketPath });

  return {
    socketPath,
    stats: () => ({ connections: callers.size, streams: streams.size }),
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => listener.close(() => resolve()));
        for (const end of [...streams]) end();
        await grpc.close(SHUTDOWN_GRACE_MS);
        await bridge?.then((relay) => relay.close()).catch(() => undefined);
        for (const socket of sockets) socket.destroy();
        await stopped;
        await removeSocket(socketPath, inode);
        logger.info("workloadapi: stopped", { socket: socketPath });
      })();
      return closing;
    },
  };
}
