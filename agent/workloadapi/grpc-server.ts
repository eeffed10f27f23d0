// gRPC over node's HTTP/2 server (github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md), as much
// of it as the Workload API uses: unary and server-streaming calls, one length-prefixed request
// message, identity encoding only, `grpc-timeout`, cancellation, and a status in the trailers (or a
// trailers-only response when nothing was sent). Handlers see calls shaped like grpc-js's server
// calls (the Workload API's handlers were written against those), so this module is only transport.
import { EventEmitter } from "node:events";
import { createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import { GrpcStatus } from "./grpc-status.js";

/** A status to end a call with. */
export interface CallStatus {
  code: number;
  details: string;
}

/** The request metadata of a call: every value sent under a (lower-case) key, in order. */
export interface CallMetadata {
  get(key: string): (string | Buffer)[];
}

/** What every handler reads of a call. */
export interface IncomingCall {
  metadata: CallMetadata;
  request: unknown;
  /** The connection's id: the `remoteAddress` given to its socket before it was handed over. */
  getPeer(): string;
  getPath(): string;
}

/** A server-streaming call: `write` answers false when the client is not reading; `drain` follows. Ends on `emit("error", status)`. */
export interface StreamCall extends IncomingCall {
  write(message: Buffer): boolean;
  on(event: "drain" | "close", listener: () => void): unknown;
  emit(event: "error", status: CallStatus): boolean;
  readonly cancelled: boolean;
  readonly destroyed: boolean;
}

/** A method's handler: a unary one answers through `callback`, a streaming one writes to its call. */
export type GrpcMethod =
  | { kind: "unary"; handler: (call: IncomingCall, callback: (status: CallStatus | null, response?: Buffer) => void) => void }
  | { kind: "stream"; handler: (call: StreamCall) => void };

/** Options of `createGrpcServer`. */
export interface GrpcServerOptions {
  /** The service name: method paths are `/<service>/<method>`. */
  service: string;
  methods: Record<string, GrpcMethod>;
  /** The request of `method` from its bytes. */
  decode(method: string, bytes: Buffer): unknown;
  maxRequestBytes: number;
  maxConcurrentStreams: number;
}

const MESSAGE_PREFIX_BYTES = 5;
const TIMEOUT_UNITS_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };
/** Deadlines past this (about 24 days) are as good as none: setTimeout cannot wait longer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `grpc-message` is percent-encoded: every byte outside printable ASCII, and `%`. */
function encodeMessage(details: string): string {
  return Array.from(Buffer.from(details, "utf8"), (b) =>
    b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
  ).join("");
}

function timeoutMsOf(value: string | string[] | undefined): number | undefined {
  const match = typeof value === "string" ? /^(\d{1,8})([HMSmun])$/.exec(value) : null;
  return match ? Number(match[1]) * TIMEOUT_UNITS_MS[match[2]!]! : undefined;
}

/**
 * Reads `rawHeaders` (name, value, name, value, ...) when a key is asked for: a call reads one or
 * two. HTTP/2 field names are lower case on the wire (nghttp2 refuses others), so none is folded.
 */
function metadataOf(rawHeaders: string[]): CallMetadata {
  return {
    get: (key) => {
      const values: string[] = [];
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i] === key) values.push(rawHeaders[i + 1]!);
      return values;
    },
  };
}

/** The response headers of every call that sends a message; node copies them, so one object serves all. */
const RESPONSE_HEADERS = { ":status": 200, "content-type": "application/grpc+proto", "grpc-accept-encoding": "identity" };
// gRPC has no use for a `date` header, which node adds to every response unless `sendDate` is false
// (node reads it in respond(); its types omit it, hence options held in constants).
const RESPOND_OPTIONS = { waitForTrailers: true, sendDate: false };
const TRAILERS_ONLY_OPTIONS = { endStream: true, sendDate: false };
const OK_TRAILERS = { "grpc-status": String(GrpcStatus.OK), "grpc-message": "" };

/**
 * The length-prefixed gRPC message of each payload written, kept while the payload lives: a
 * response encoded once for many streams (watch-handlers.ts) is framed once too. A payload must
 * not change once written (none does: every one is a freshly encoded message).
 */
const framed = new WeakMap<Buffer, Buffer>();

function frameOf(message: Buffer): Buffer {
  let frame = framed.get(message);
  if (!frame) {
    // Not from the shared pool: a kept slice would keep the pool's whole 8 KiB alive.
    frame = Buffer.alloc(MESSAGE_PREFIX_BYTES + message.length);
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, MESSAGE_PREFIX_BYTES);
    framed.set(message, frame);
  }
  return frame;
}

function trailersOf(status: CallStatus): Record<string, string> {
  return status.code === GrpcStatus.OK && status.details === ""
    ? OK_TRAILERS
    : { "grpc-status": String(status.code), "grpc-message": encodeMessage(status.details) };
}

/** One call on one HTTP/2 stream. */
class Http2Call extends EventEmitter implements StreamCall {
  request: unknown;
  cancelled = false;
  #responded = false;
  #ended = false;
  #status: CallStatus = { code: GrpcStatus.OK, details: "" };

  constructor(
    readonly stream: ServerHttp2Stream,
    readonly metadata: CallMetadata,
    readonly path: string,
    readonly peer: string,
  ) {
    super();
    this.on("error", (status: CallStatus) => this.finish(status));
    stream.on("drain", () => this.emit("drain"));
    stream.on("close", () => {
      if (!this.#ended) this.cancelled = true;
      this.#ended = true;
      this.emit("close");
    });
  }

  get destroyed(): boolean {
    return this.stream.destroyed;
  }

  getPeer(): string {
    return this.peer;
  }

  getPath(): string {
    return this.path;
  }

  write(message: Buffer): boolean {
    if (this.#ended || this.stream.destroyed) return false;
    if (!this.#responded) {
      this.#responded = true;
      this.stream.respond(RESPONSE_HEADERS, RESPOND_OPTIONS);
      this.stream.once("wantTrailers", () => this.stream.sendTrailers(trailersOf(this.#status)));
    }
    return this.stream.write(frameOf(message));
  }

  /** End the call with `status`: in the trailers, or as a trailers-only response when nothing was sent. */
  finish(status: CallStatus): void {
    if (this.#ended || this.stream.destroyed) return;
    this.#ended = true;
    this.#status = status;
    if (this.#responded) {
      this.stream.end();
      return;
    }
    this.#responded = true;
    this.stream.respond(
      {
        ":status": 200,
        "content-type": "application/grpc+proto",
        "grpc-status": String(status.code),
        "grpc-message": encodeMessage(status.details),
      },
      TRAILERS_ONLY_OPTIONS,
    );
  }
}

/** Collects the request message; answers it once whole, or a status for one that is too large, compressed or missing. */
function readRequest(stream: ServerHttp2Stream, maxBytes: number, done: (result: Buffer | CallStatus) => void): void {
  let received: Buffer = Buffer.alloc(0);
  let settled = false;
  const settle = (result: Buffer | CallStatus) => {
    if (settled) return;
    settled = true;
    stream.off("data", onData);
    stream.resume();
    done(result);
  };
  const onData = (chunk: Buffer) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    if (received.length < MESSAGE_PREFIX_BYTES) return;
    const length = received.readUInt32BE(1);
    if (received[0] !== 0) return settle({ code: GrpcStatus.INTERNAL, details: "compressed requests are not supported" });
    if (length > maxBytes)
      return settle({
        code: GrpcStatus.RESOURCE_EXHAUSTED,
        details: `request larger than the largest accepted (${length} vs. ${maxBytes} bytes)`,
      });
    if (received.length >= MESSAGE_PREFIX_BYTES + length) settle(received.subarray(MESSAGE_PREFIX_BYTES, MESSAGE_PREFIX_BYTES + length));
  };
  stream.on("data", onData);
  stream.once("end", () => settle({ code: GrpcStatus.INVALID_ARGUMENT, details: "request is not a valid message" }));
}

/**
 * An HTTP/2 server that serves `methods` as gRPC. Connections are handed to it with
 * `server.emit("connection", socket)`; `close` ends it (GOAWAY, then every session cut after `graceMs`).
 */
export function createGrpcServer(options: GrpcServerOptions): { server: Http2Server; close(graceMs: number): Promise<void> } {
  const sessions = new Set<ServerHttp2Session>();
  const server = createServer({ settings: { maxConcurrentStreams: options.maxConcurrentStreams } });
  server.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.on("error", () => undefined);
  });
  server.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    // A client's RST_STREAM surfaces as a stream error: it ends that stream, never the agent.
    stream.on("error", () => undefined);
    const contentType = headers["content-type"];
    if (headers[":method"] !== "POST" || typeof contentType !== "string" || !contentType.startsWith("application/grpc")) {
      stream.respond({ ":status": headers[":method"] !== "POST" ? 405 : 415 }, { endStream: true });
      return;
    }
    const path = headers[":path"] ?? "";
    const call = new Http2Call(stream, metadataOf(rawHeaders), path, stream.session?.socket.remoteAddress ?? "");
    const prefix = `/${options.service}/`;
    const name = path.startsWith(prefix) ? path.slice(prefix.length) : "";
    const method = Object.hasOwn(options.methods, name) ? options.methods[name] : undefined;
    if (!method) {
      call.finish({ code: GrpcStatus.UNIMPLEMENTED, details: `method ${path} is not implemented` });
      return;
    }
    const timeoutMs = timeoutMsOf(headers["grpc-timeout"]);
    if (timeoutMs !== undefined && timeoutMs < MAX_TIMER_MS) {
      const timer = setTimeout(() => call.finish({ code: GrpcStatus.DEADLINE_EXCEEDED, details: "deadline exceeded" }), timeoutMs);
      stream.once("close", () => clearTimeout(timer));
    }
    readRequest(stream, options.maxRequestBytes, (result) => {
      if (!Buffer.isBuffer(result)) return call.finish(result);
      call.request = options.decode(name, result);
      if (method.kind === "stream") return method.handler(call);
      method.handler(call, (status, response) => {
        if (status) return call.finish(status);
        call.write(response ?? Buffer.alloc(0));
        call.finish({ code: GrpcStatus.OK, details: "" });
      });
    });
  });
  return {
    server,
    close: async (graceMs) => {
      let timer: NodeJS.Timeout | undefined;
      const closed = Promise.all([...sessions].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
