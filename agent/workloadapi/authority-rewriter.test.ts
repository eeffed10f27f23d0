import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthorityRewriter, MAX_HEADER_BLOCK_BYTES, PREFACE } from "./authority-rewriter.js";
import { http2Frame as frame } from "./test-support.js";

const raw = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]);

const SETTINGS = frame(0x4, 0, 0, Buffer.alloc(0));
const DATA = frame(0x0, 0x1, 1, Buffer.from("\u0000\u0000\u0000\u0000\u0000"));
const block = (authority: string) => Buffer.concat([Buffer.from([0x83, 0x86, 0x41]), raw(authority), Buffer.from([0x84])]);

/** Everything the rewriter passes on for `input`, fed in chunks of `chunk` bytes. */
async function rewrite(input: Buffer, chunk = input.length, dropSettingsAck = false): Promise<Buffer> {
  const rewriter = new AuthorityRewriter({ dropSettingsAck });
  const out: Buffer[] = [];
  rewriter.on("data", (d: Buffer) => out.push(d));
  const ended = new Promise<void>((resolve, reject) => rewriter.once("end", resolve).once("error", reject));
  for (let at = 0; at < input.length; at += chunk) rewriter.write(input.subarray(at, at + chunk));
  rewriter.end();
  await ended;
  return Buffer.concat(out);
}

describe("AuthorityRewriter", () => {
  it("drops the first SETTINGS acknowledgement only when asked, however the bytes are split", async () => {
    const ack = frame(0x4, 0x1, 0, Buffer.alloc(0));
    const headers = frame(0x1, 0x4, 1, block("localhost"));
    const input = Buffer.concat([PREFACE, SETTINGS, ack, headers, ack, DATA]);
    for (const chunk of [1, 9, 100, input.length]) {
      assert.deepEqual(await rewrite(input, chunk, true), Buffer.concat([PREFACE, SETTINGS, headers, ack, DATA]), `chunks of ${chunk}`);
      assert.deepEqual(await rewrite(input, chunk), input, `chunks of ${chunk}, nothing dropped`);
    }
  });

  it("passes a connection whose authority is acceptable on byte for byte, however it is split", async () => {
    const input = Buffer.concat([PREFACE, SETTINGS, frame(0x1, 0x4, 1, block("localhost")), DATA]);
    for (const chunk of [1, 7, 9, 100, input.length]) assert.deepEqual(await rewrite(input, chunk), input, `chunks of ${chunk}`);
  });

  it("rewrites a path authority spread over HEADERS and CONTINUATION, keeping END_STREAM and priority, dropping padding", async () => {
    const headerBlock = block("/tmp/a/api.sock");
    const priority = Buffer.from([0, 0, 0, 0, 15]);
    const padded = Buffer.concat([Buffer.from([3]), priority, headerBlock.subarray(0, 4), Buffer.alloc(3)]);
    const input = Buffer.concat([
      PREFACE,
      SETTINGS,
      frame(0x1, 0x1 | 0x8 | 0x20, 1, padded),
      frame(0x9, 0x4, 1, headerBlock.subarray(4)),
      DATA,
    ]);
    const expected = Buffer.concat([
      PREFACE,
      SETTINGS,
      frame(0x1, 0x1 | 0x4 | 0x20, 1, Buffer.concat([priority, block("_tmp_a_api.sock")])),
      DATA,
    ]);
    for (const chunk of [1, 5, input.length]) assert.deepEqual(await rewrite(input, chunk), expected, `chunks of ${chunk}`);
  });

  it("splits a rewritten block into frames no larger than 16384 bytes", async () => {
    // x: <20,000 bytes> (a literal without indexing; 20,000 is 0x7f 0xa1 0x9b 0x01), then the path authority
    const big = Buffer.concat([
      Buffer.from([0x00]),
      raw("x"),
      Buffer.from([0x7f, 0xa1, 0x9b, 0x01]),
      Buffer.alloc(20_000, "a"),
      block("/tmp/a/api.sock"),
    ]);
    const input = Buffer.concat([PREFACE, frame(0x1, 0x0, 3, big.subarray(0, 16_000)), frame(0x9, 0x4, 3, big.subarray(16_000))]);
    const out = await rewrite(input);
    let at = PREFACE.length;
    const frames: { type: number; length: number; flags: number }[] = [];
    while (at < out.length) {
      const length = out.readUIntBE(at, 3);
      frames.push({ type: out[at + 3]!, length, flags: out[at + 4]! });
      at += 9 + length;
    }
    assert.deepEqual(
      frames.map((f) => f.type),
      [0x1, 0x9],
    );
    assert.ok(frames.every((f) => f.length <= 16_384));
    assert.equal(frames[1]!.flags, 0x4);
    assert.ok(out.includes(Buffer.from("_tmp_a_api.sock")));
  });

  it("passes on untouched whatever does not start with the HTTP/2 preface", async () => {
    const input = Buffer.concat([Buffer.from("GET / HTTP/1.1\r\nHost: /x\r\n\r\n"), frame(0x1, 0x4, 1, block("/tmp/a"))]);
    assert.deepEqual(await rewrite(input, 3), input);
  });

  it("passes on untouched a header block interrupted by another frame (nghttp2 refuses it as before)", async () => {
    const headerBlock = block("/tmp/a/api.sock");
    const input = Buffer.concat([
      PREFACE,
      frame(0x1, 0x0, 1, headerBlock.subarray(0, 4)),
      DATA,
      frame(0x9, 0x4, 1, headerBlock.subarray(4)),
    ]);
    assert.deepEqual(await rewrite(input), input);
  });

  it("refuses a header block larger than it buffers", async () => {
    const chunk = frame(0x9, 0x0, 1, Buffer.alloc(16_384));
    const parts = [PREFACE, frame(0x1, 0x0, 1, Buffer.alloc(16_384))];
    for (let size = 16_384; size <= MAX_HEADER_BLOCK_BYTES; size += 16_384) parts.push(chunk);
    await assert.rejects(rewrite(Buffer.concat(parts)), /header block too large/);
  });
});
