import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PREFACE } from "./authority-rewriter.js";
import { http2Frame as frame } from "./test-support.js";
import { MAX_OPENING_BYTES, readConnectionOpening } from "./connection-opening.js";

const SETTINGS = frame(0x4, 0, 0, Buffer.from([0, 4, 0, 0, 0xff, 0xff]));
const ACK = frame(0x4, 0x1, 0, Buffer.alloc(0));
const WINDOW_UPDATE = frame(0x8, 0, 0, Buffer.from([0, 0, 0x10, 0]));
// :method POST, :scheme http, :authority (literal, static name), :path /
const block = (authority: string) =>
  Buffer.concat([Buffer.from([0x83, 0x86, 0x01, authority.length]), Buffer.from(authority), Buffer.from([0x84])]);
const headers = (authority: string) => frame(0x1, 0x4, 1, block(authority));

describe("readConnectionOpening", () => {
  const table: [string, Buffer, "native" | "relay" | "more", Buffer, boolean][] = [
    [
      "localhost after the acknowledgement",
      Buffer.concat([PREFACE, SETTINGS, WINDOW_UPDATE, ACK, headers("localhost")]),
      "native",
      Buffer.concat([PREFACE, SETTINGS, WINDOW_UPDATE, headers("localhost")]),
      true,
    ],
    [
      "localhost before the acknowledgement",
      Buffer.concat([PREFACE, SETTINGS, headers("localhost"), ACK]),
      "native",
      Buffer.concat([PREFACE, SETTINGS, headers("localhost")]),
      true,
    ],
    [
      "a socket path",
      Buffer.concat([PREFACE, SETTINGS, ACK, headers("/run/api.sock")]),
      "relay",
      Buffer.concat([PREFACE, SETTINGS, headers("/run/api.sock")]),
      true,
    ],
    [
      "a header block without the acknowledgement yet",
      Buffer.concat([PREFACE, SETTINGS, headers("localhost")]),
      "more",
      Buffer.concat([PREFACE, SETTINGS, headers("localhost")]),
      false,
    ],
    [
      "the acknowledgement without a header block yet",
      Buffer.concat([PREFACE, SETTINGS, ACK]),
      "more",
      Buffer.concat([PREFACE, SETTINGS]),
      true,
    ],
    ["half a preface", PREFACE.subarray(0, 10), "more", PREFACE.subarray(0, 10), false],
    ["bytes that are not HTTP/2", Buffer.from("GET / HTTP/1.1\r\n\r\n"), "native", Buffer.from("GET / HTTP/1.1\r\n\r\n"), false],
    [
      "a CONTINUATION-less block followed by another frame",
      Buffer.concat([PREFACE, ACK, frame(0x1, 0, 1, block("localhost")), WINDOW_UPDATE]),
      "native",
      Buffer.concat([PREFACE, frame(0x1, 0, 1, block("localhost")), WINDOW_UPDATE]),
      true,
    ],
  ];
  for (const [name, input, route, bytes, acknowledged] of table) {
    it(`${name}: ${route}`, () => {
      const opening = readConnectionOpening(input);
      assert.deepEqual({ ...opening, bytes: opening.bytes.toString("hex") }, { route, bytes: bytes.toString("hex"), acknowledged });
    });
  }

  it("removes only the first acknowledgement", () => {
    const opening = readConnectionOpening(Buffer.concat([PREFACE, ACK, ACK, headers("localhost")]));
    assert.deepEqual(opening.bytes, Buffer.concat([PREFACE, ACK, headers("localhost")]));
  });

  it("relays a connection that has sent too much without finishing its first header block", () => {
    const big = frame(0x0, 0, 1, Buffer.alloc(MAX_OPENING_BYTES));
    assert.equal(readConnectionOpening(Buffer.concat([PREFACE, ACK, big])).route, "relay");
  });
});
