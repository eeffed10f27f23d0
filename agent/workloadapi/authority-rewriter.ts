// The bytes a workload sends, on their way to node's HTTP/2 server: every frame passes unchanged
// except a header block (HEADERS and its CONTINUATIONs) whose `:authority` is a socket path, which
// is re-framed around the block `rewriteAuthority` returns. Anything that does not parse as HTTP/2
// is passed on untouched from that point, for nghttp2 to reject as it always did.
import { Transform, type TransformCallback } from "node:stream";
import { rewriteAuthority } from "./hpack-authority.js";

/** The client connection preface (RFC 9113 section 3.4). */
export const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
/** Frame layout and the frame types and flags the agent reads before grpc-js does. */
export const FRAME_HEADER_BYTES = 9;
export const HEADERS = 0x1;
export const SETTINGS = 0x4;
export const CONTINUATION = 0x9;
export const ACK = 0x1;
const END_STREAM = 0x1;
export const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;
const PRIORITY_BYTES = 5;
/** The smallest SETTINGS_MAX_FRAME_SIZE a server may set (RFC 9113 section 6.5.2): always accepted. */
const MAX_FRAME_PAYLOAD = 16_384;
/** A header block buffered whole before it is passed on; far above what node accepts (64 KiB). */
export const MAX_HEADER_BLOCK_BYTES = 256 * 1024;

interface PendingBlock {
  streamId: number;
  flags: number;
  priority: Buffer | undefined;
  fragments: Buffer[];
  size: number;
  /** The frames as received, sent as they were when the block needs no change. */
  raw: Buffer[];
}

function frameHeader(length: number, type: number, flags: number, streamId: number): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUIntBE(length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return header;
}

/** A HEADERS frame and as many CONTINUATIONs as `block` needs, none above the smallest frame limit. */
function frameHeaderBlock(pending: PendingBlock, block: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  const priority = pending.priority ?? Buffer.alloc(0);
  const firstRoom = MAX_FRAME_PAYLOAD - priority.length;
  const first = block.subarray(0, firstRoom);
  let rest = block.subarray(first.length);
  const flags = (pending.flags & (END_STREAM | PRIORITY)) | (rest.length === 0 ? END_HEADERS : 0);
  frames.push(frameHeader(priority.length + first.length, HEADERS, flags, pending.streamId), priority, first);
  while (rest.length > 0) {
    const chunk = rest.subarray(0, MAX_FRAME_PAYLOAD);
    rest = rest.subarray(chunk.length);
    frames.push(frameHeader(chunk.length, CONTINUATION, rest.length === 0 ? END_HEADERS : 0, pending.streamId), chunk);
  }
  return frames;
}

/** The header block fragment of a HEADERS frame's payload, and its priority fields; undefined when malformed. */
export function splitHeadersPayload(flags: number, payload: Buffer): { priority: Buffer | undefined; fragment: Buffer } | undefined {
  let start = 0;
  let end = payload.length;
  if (flags & PADDED) {
    if (payload.length < 1) return undefined;
    end -= payload[0]!;
    start = 1;
  }
  let priority: Buffer | undefined;
  if (flags & PRIORITY) {
    priority = payload.subarray(start, start + PRIORITY_BYTES);
    start += PRIORITY_BYTES;
  }
  if (end < start) return undefined;
  return { priority, fragment: payload.subarray(start, end) };
}

/** Options of {@link AuthorityRewriter}. */
export interface AuthorityRewriterOptions {
  /** Remove the client's first SETTINGS acknowledgement: it answers a preface the agent sent itself (connection-opening.ts). */
  dropSettingsAck?: boolean;
}

/** A stream transform over a workload's HTTP/2 bytes that makes path-like `:authority` values acceptable. */
export class AuthorityRewriter extends Transform {
  private buffered: Buffer = Buffer.alloc(0);
  private sawPreface = false;
  private passThrough = false;
  /** Bytes of the current non-header frame's payload still to pass on as they come. */
  private streaming = 0;
  private pending: PendingBlock | undefined;
  private dropSettingsAck: boolean;
  /** What one input chunk gives, pushed as one buffer: each push is a write on the relay socket. */
  private out: Buffer[] = [];

  constructor(options: AuthorityRewriterOptions = {}) {
    super();
    this.dropSettingsAck = options.dropSettingsAck ?? false;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.passThrough) return done(null, chunk);
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    try {
      this.drain();
      this.flushOut();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    this.giveUp();
    this.flushOut();
    done();
  }

  private send(bytes: Buffer): void {
    if (bytes.length > 0) this.out.push(bytes);
  }

  private flushOut(): void {
    if (this.out.length > 0) this.push(this.out.length === 1 ? this.out[0] : Buffer.concat(this.out));
    this.out = [];
  }

  /** Stop parsing: pass on what is held, unchanged, and everything after it. */
  private giveUp(): void {
    if (this.pending) for (const frame of this.pending.raw) this.send(frame);
    if (this.buffered.length > 0) this.send(this.buffered);
    this.pending = undefined;
    this.buffered = Buffer.alloc(0);
    this.passThrough = true;
  }

  private takeBytes(bytes: number): Buffer {
    const out = this.buffered.subarray(0, bytes);
    this.buffered = this.buffered.subarray(bytes);
    return out;
  }

  private drain(): void {
    if (!this.sawPreface) {
      const seen = Math.min(this.buffered.length, PREFACE.length);
      if (!this.buffered.subarray(0, seen).equals(PREFACE.subarray(0, seen))) return this.giveUp();
      if (seen < PREFACE.length) return;
      this.send(this.takeBytes(PREFACE.length));
      this.sawPreface = true;
    }
    while (!this.passThrough) {
      if (this.streaming > 0) {
        if (this.buffered.length === 0) return;
        const part = this.takeBytes(Math.min(this.streaming, this.buffered.length));
        this.streaming -= part.length;
        this.send(part);
        continue;
      }
      if (this.buffered.length < FRAME_HEADER_BYTES) return;
      const length = this.buffered.readUIntBE(0, 3);
      const type = this.buffered[3]!;
      if (this.dropSettingsAck && type === SETTINGS && this.buffered[4]! & ACK) {
        if (this.buffered.length < FRAME_HEADER_BYTES + length) return;
        this.takeBytes(FRAME_HEADER_BYTES + length);
        this.dropSettingsAck = false;
        continue;
      }
      if (this.pending && type !== CONTINUATION) return this.giveUp();
      if (this.pending || type === HEADERS) {
        if (FRAME_HEADER_BYTES + length > MAX_HEADER_BLOCK_BYTES) throw new Error("workloadapi: header block too large");
        if (this.buffered.length < FRAME_HEADER_BYTES + length) return;
        this.onHeaderFrame(this.takeBytes(FRAME_HEADER_BYTES + length));
      } else {
        this.send(this.takeBytes(FRAME_HEADER_BYTES));
        this.streaming = length;
      }
    }
  }

  private onHeaderFrame(frame: Buffer): void {
    const type = frame[3]!;
    const flags = frame[4]!;
    const streamId = frame.readUInt32BE(5) & 0x7fffffff;
    const payload = frame.subarray(FRAME_HEADER_BYTES);
    if (!this.pending) {
      const split = splitHeadersPayload(flags, payload);
      if (!split) return this.giveUpWith(frame);
      this.pending = { streamId, flags, priority: split.priority, fragments: [split.fragment], size: split.fragment.length, raw: [frame] };
    } else {
      if (type !== CONTINUATION || streamId !== this.pending.streamId) return this.giveUpWith(frame);
      this.pending.fragments.push(payload);
      this.pending.raw.push(frame);
      this.pending.size += payload.length;
    }
    if (this.pending.size > MAX_HEADER_BLOCK_BYTES) throw new Error("workloadapi: header block too large");
    if (!(flags & END_HEADERS)) return;
    const pending = this.pending;
    this.pending = undefined;
    const rewritten = rewriteAuthority(Buffer.concat(pending.fragments));
    for (const out of rewritten ? frameHeaderBlock(pending, rewritten) : pending.raw) this.send(out);
  }

  private giveUpWith(frame: Buffer): void {
    this.buffered = Buffer.concat([frame, this.buffered]);
    this.giveUp();
  }
}
