import assert from "node:assert/strict";
import { connect as connectHttp2 } from "node:http2";
import { createServer, connect, type Server } from "node:net";
import { after, describe, it } from "node:test";
import { makeTempDir } from "../../test/support/temp-dir.js";
import { decodeHuffman, encodeHuffman, huffmanCodeOf, rewriteAuthority, sanitizeAuthority } from "./hpack-authority.js";

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ""), "hex");
/** A literal string, not Huffman-coded, with its 7-bit length prefix (short strings only). */
const raw = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]);
const huffman = (s: string) => encodeHuffman(Buffer.from(s));

describe("decodeHuffman", () => {
  it("has the code of RFC 7541 Appendix B", () => {
    for (const [symbol, code, length] of [
      [0, 0x1ff8, 13],
      [10, 0x3ffffffc, 30],
      [47, 0x18, 6],
      [48, 0x0, 5],
      [97, 0x3, 5],
      [255, 0x3ffffee, 26],
      [256, 0x3fffffff, 30],
    ] as const) {
      assert.deepEqual(huffmanCodeOf(symbol), [code, length], `symbol ${symbol}`);
    }
  });

  it("decodes the examples of RFC 7541 Appendix C.4", () => {
    assert.equal(decodeHuffman(hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"))?.toString(), "www.example.com");
    assert.equal(decodeHuffman(hex("a8eb 1064 9cbf"))?.toString(), "no-cache");
    assert.equal(decodeHuffman(hex("25a8 49e9 5ba9 7d7f"))?.toString(), "custom-key");
    assert.equal(decodeHuffman(hex("25a8 49e9 5bb8 e8b4 bf"))?.toString(), "custom-value");
  });

  it("encodes the examples of RFC 7541 Appendix C.4, and every byte back to itself", () => {
    assert.deepEqual(encodeHuffman(Buffer.from("www.example.com")), hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"));
    assert.deepEqual(encodeHuffman(Buffer.from("custom-value")), hex("25a8 49e9 5bb8 e8b4 bf"));
    const every = Buffer.from(Array.from({ length: 256 }, (_, b) => b));
    assert.deepEqual(decodeHuffman(encodeHuffman(every)), every);
  });

  it("refuses padding longer than 7 bits, padding that is not all ones, and EOS", () => {
    assert.equal(decodeHuffman(hex("a8eb 1064 9cbf ff")), undefined);
    assert.equal(decodeHuffman(hex("a8eb 1064 9cbe")), undefined);
    assert.equal(decodeHuffman(hex("ffff fffc")), undefined);
  });
});

describe("sanitizeAuthority", () => {
  it("replaces what an authority cannot hold, keeping the length, and leaves valid or non-printable values alone", () => {
    assert.equal(sanitizeAuthority(Buffer.from("/run/tessera/agent/public/api.sock"))?.toString(), "_run_tessera_agent_public_api.sock");
    assert.equal(sanitizeAuthority(Buffer.from("user@host"))?.toString(), "user_host");
    for (const ok of ["localhost", "localhost:8080", "%2Frun%2Fapi.sock", "[::1]:443", ""])
      assert.equal(sanitizeAuthority(Buffer.from(ok)), undefined, ok);
    for (const bad of ["a b", "a\tb", "/p\r\n", "/p\u0000", "/caf\u00e9"])
      assert.equal(sanitizeAuthority(Buffer.from(bad)), undefined, JSON.stringify(bad));
  });
});

describe("rewriteAuthority", () => {
  const path = "/tmp/a/api.sock";
  const fixed = "_tmp_a_api.sock";

  it("rewrites each literal form of :authority, keeping its representation and the value's length", () => {
    for (const [label, prefix] of [
      ["with incremental indexing, static name", Buffer.from([0x41])],
      ["without indexing, static name", Buffer.from([0x01])],
      ["never indexed, static name", Buffer.from([0x11])],
      ["with incremental indexing, literal name", Buffer.concat([Buffer.from([0x40]), raw(":authority")])],
      [
        "without indexing, Huffman-coded literal name",
        Buffer.concat([Buffer.from([0x00, 0x80 | huffman(":authority").length]), huffman(":authority")]),
      ],
    ] as const) {
      const block = Buffer.concat([Buffer.from([0x83, 0x86]), prefix, raw(path), Buffer.from([0x84])]);
      assert.deepEqual(rewriteAuthority(block), Buffer.concat([Buffer.from([0x83, 0x86]), prefix, raw(fixed), Buffer.from([0x84])]), label);
    }
  });

  it("leaves alone a block whose authority is acceptable, absent, indexed or another field", () => {
    for (const block of [
      Buffer.concat([Buffer.from([0x41]), raw("localhost")]),
      Buffer.concat([Buffer.from([0x41]), raw("%2Ftmp%2Fa")]),
      Buffer.from([0x83, 0x86, 0x84]),
      Buffer.from([0x83, 0xbe]),
      Buffer.concat([Buffer.from([0x44]), raw(path)]),
      Buffer.concat([Buffer.from([0x40]), raw("x-path"), raw(path)]),
      Buffer.concat([Buffer.from([0x40, 0x80 | huffman(":authorit").length]), huffman(":authorit"), raw(path)]),
      Buffer.concat([Buffer.from([0x41]), raw("a b")]),
    ]) {
      assert.equal(rewriteAuthority(block), undefined, block.toString("hex"));
    }
  });

  it("judges every block on its own, whatever value was left alone before (raw or Huffman-coded)", () => {
    const localhost = Buffer.concat([Buffer.from([0x41]), raw("localhost")]);
    const localhostCoded = Buffer.concat([Buffer.from([0x41, 0x80 | huffman("localhost").length]), huffman("localhost")]);
    const socketPath = Buffer.concat([Buffer.from([0x41]), raw(path)]);
    const socketPathCoded = Buffer.concat([Buffer.from([0x41, 0x80 | huffman(path).length]), huffman(path)]);
    const rewritten = Buffer.concat([Buffer.from([0x41]), raw(fixed)]);
    for (const [block, expected] of [
      [localhost, undefined],
      [socketPath, rewritten],
      [socketPath, rewritten],
      [localhostCoded, undefined],
      [localhostCoded, undefined],
      [socketPathCoded, rewritten],
      [socketPathCoded, rewritten],
      [localhost, undefined],
      [socketPath, rewritten],
    ] as const) {
      assert.deepEqual(rewriteAuthority(block), expected, block.toString("hex"));
    }
  });

  it("leaves alone a block that does not parse (nghttp2 answers it as before)", () => {
    for (const block of [Buffer.from([0x41, 0x10, 0x2f]), Buffer.from([0x7f]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]) {
      assert.equal(rewriteAuthority(block), undefined);
    }
  });

  describe("against node's own HPACK encoder (nghttp2)", () => {
    let server: Server | undefined;
    let tmp: Awaited<ReturnType<typeof makeTempDir>> | undefined;
    after(async () => {
      server?.close();
      await tmp?.remove();
    });

    it("decodes the Huffman-coded authority nghttp2 sends, and rewrites it as a plain literal", async () => {
      tmp = await makeTempDir("hpack");
      const socketPath = `${tmp.path}/capture.sock`;
      const captured = new Promise<Buffer>((resolve) => {
        server = createServer((socket) => {
          let bytes = Buffer.alloc(0);
          socket.on("data", (d: Buffer) => {
            bytes = Buffer.concat([bytes, d]);
            const block = headersBlock(bytes);
            if (block) {
              resolve(block);
              socket.destroy();
            }
          });
        });
        server.listen(socketPath);
      });
      const session = connectHttp2("http://localhost", { createConnection: () => connect(socketPath) });
      session.on("error", () => undefined);
      session
        .request({ ":method": "POST", ":path": "/SpiffeWorkloadAPI/FetchX509SVID", ":authority": path })
        .on("error", () => undefined)
        .end();
      const block = await captured;
      session.destroy();
      const rewritten = rewriteAuthority(block);
      assert.ok(rewritten, "the block was rewritten");
      assert.ok(!block.includes(Buffer.from(path)), "nghttp2 sent the authority Huffman-coded");
      assert.ok(rewritten.includes(raw(fixed)));
    });
  });
});

/** The header block of the first HEADERS frame after the preface, once all of it has arrived. */
function headersBlock(bytes: Buffer): Buffer | undefined {
  for (let at = 24; at + 9 <= bytes.length;) {
    const length = bytes.readUIntBE(at, 3);
    if (at + 9 + length > bytes.length) return undefined;
    if (bytes[at + 3] === 0x1) {
      const flags = bytes[at + 4]!;
      let payload = bytes.subarray(at + 9, at + 9 + length);
      if (flags & 0x8) payload = payload.subarray(1, payload.length - payload[0]!);
      if (flags & 0x20) payload = payload.subarray(5);
      return payload;
    }
    at += 9 + length;
  }
  return undefined;
}
