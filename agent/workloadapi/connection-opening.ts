// The opening of a workload's HTTP/2 connection, read before grpc-js gets the socket, to decide
// whether its bytes must go through the AuthorityRewriter (a relay, see http2-bridge.ts) or the
// native socket can be handed to grpc-js as it is. gRPC clients wait for the server's connection
// preface before their first request, so the agent sends one itself (an empty SETTINGS frame) as
// soon as it accepts; the client's acknowledgement of that frame is removed from what is passed on,
// since node's HTTP/2 server sends its own SETTINGS later and would refuse an acknowledgement it
// never asked for. A client keeps one `:authority` for a connection, so the first header block
// tells: when node would accept it, nothing is relayed.
import type { Socket } from "node:net";
import { rewriteAuthority } from "./hpack-authority.js";
import {
  ACK,
  CONTINUATION,
  END_HEADERS,
  FRAME_HEADER_BYTES,
  HEADERS,
  MAX_HEADER_BLOCK_BYTES,
  PREFACE as CLIENT_PREFACE,
  SETTINGS,
  splitHeadersPayload,
} from "./authority-rewriter.js";

/** The server connection preface the agent writes at accept: a SETTINGS frame with no settings. */
export const SERVER_PREFACE = Buffer.from([0, 0, 0, SETTINGS, 0, 0, 0, 0, 0]);

/** Most bytes read before deciding; past it the connection is relayed (which rewrites or refuses). */
export const MAX_OPENING_BYTES = MAX_HEADER_BLOCK_BYTES + 64 * 1024;

/** What the opening read so far says. */
export interface ConnectionOpening {
  /**
   * `native`: hand the socket to grpc-js; `relay`: pass it through the AuthorityRewriter; `more`:
   * the first header block (or the acknowledgement of the agent's preface) has not arrived yet.
   */
  route: "native" | "relay" | "more";
  /** The bytes to pass on, without the acknowledgement of the agent's preface. */
  bytes: Buffer;
  /** True once that acknowledgement was seen (and removed). */
  acknowledged: boolean;
}

/**
 * Read the opening of a client's HTTP/2 byte stream (`received`, everything so far). Bytes that are
 * not HTTP/2 go native at once, for node to refuse as it always did.
 */
export function readConnectionOpening(received: Buffer): ConnectionOpening {
  const seen = Math.min(received.length, CLIENT_PREFACE.length);
  if (received.compare(CLIENT_PREFACE, 0, seen, 0, seen) !== 0) return { route: "native", bytes: received, acknowledged: false };
  let ack: { start: number; end: number } | undefined;
  let block: Buffer[] | undefined;
  let blockDone = false;
  let at = CLIENT_PREFACE.length;
  while (at + FRAME_HEADER_BYTES <= received.length && !(blockDone && ack)) {
    const length = received.readUIntBE(at, 3);
    const type = received[at + 3]!;
    const flags = received[at + 4]!;
    const end = at + FRAME_HEADER_BYTES + length;
    if (end > received.length) break;
    if (type === SETTINGS && flags & ACK && !ack) {
      ack = { start: at, end };
    } else if (!blockDone && (block || type === HEADERS)) {
      const payload = received.subarray(at + FRAME_HEADER_BYTES, end);
      const fragment = block ? (type === CONTINUATION ? payload : undefined) : splitHeadersPayload(flags, payload)?.fragment;
      if (!fragment) return { route: "native", bytes: without(received, ack), acknowledged: ack !== undefined };
      (block ??= []).push(fragment);
      blockDone = (flags & END_HEADERS) !== 0;
    }
    at = end;
  }
  const bytes = without(received, ack);
  if (!blockDone || !ack || !block)
    return { route: received.length > MAX_OPENING_BYTES ? "relay" : "more", bytes, acknowledged: ack !== undefined };
  const whole = block.length === 1 ? block[0]! : Buffer.concat(block);
  return { route: rewriteAuthority(whole) ? "relay" : "native", bytes, acknowledged: true };
}

function without(bytes: Buffer, range: { start: number; end: number } | undefined): Buffer {
  return range ? Buffer.concat([bytes.subarray(0, range.start), bytes.subarray(range.end)]) : bytes;
}

/**
 * Read `socket` until its opening says where it goes, or `timeoutMs` passes (then it is relayed,
 * which is always correct, only slower). Resolves `undefined` when the socket closes first. The
 * bytes read are the caller's to put back (`socket.unshift`).
 */
export function awaitConnectionOpening(socket: Socket, timeoutMs: number): Promise<ConnectionOpening | undefined> {
  return new Promise((resolve) => {
    let received: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => finish({ ...readConnectionOpening(received), route: "relay" }), timeoutMs);
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const opening = readConnectionOpening(received);
      if (opening.route !== "more") finish(opening);
    };
    const onClose = (): void => finish(undefined);
    function finish(opening: ConnectionOpening | undefined): void {
      clearTimeout(timer);
      socket.off("readable", onReadable).off("close", onClose);
      resolve(opening);
    }
    socket.on("readable", onReadable).once("close", onClose);
  });
}
