import type { ServerWritableStream } from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import type { HandlerContext } from "./call-context.js";
import { claimsToStruct } from "./claims-struct.js";
import { TestSource } from "./test-support.js";
import { serveWatchStream } from "./watch-stream.js";

/** A stream call whose write buffer is full until the test says otherwise. */
class SlowCall extends EventEmitter {
  written: Buffer[] = [];
  full = false;
  cancelled = false;
  destroyed = false;
  write(chunk: Buffer): boolean {
    this.written.push(chunk);
    return !this.full;
  }
}

const turn = () => new Promise((r) => setImmediate(r));

describe("serveWatchStream", () => {
  it("sends a slow reader only the newest response once it drains", async () => {
    const source = new TestSource();
    const call = new SlowCall();
    let version = 0;
    const ctx = { source, logger: console, trackStream: () => () => undefined } as unknown as HandlerContext;
    serveWatchStream(call as unknown as ServerWritableStream<unknown, Buffer>, ctx, () => Buffer.from(`v${version}`), {});
    assert.deepEqual(call.written.map(String), ["v0"]);
    call.full = true;
    version = 1;
    source.notify();
    await turn();
    assert.deepEqual(call.written.map(String), ["v0", "v1"], "v1 filled the buffer");
    for (version of [2, 3, 4]) {
      source.notify();
      await turn();
    }
    assert.equal(call.written.length, 2, "nothing more while the buffer is full");
    call.full = false;
    call.emit("drain");
    await turn();
    assert.deepEqual(call.written.map(String), ["v0", "v1", "v4"]);
    call.emit("close");
    assert.equal(source.subscriptions, 0);
  });
});

describe("claimsToStruct", () => {
  it("maps every JSON kind, and a single aud to a list", () => {
    const struct = claimsToStruct({ aud: "a", n: 1.5, b: false, z: null, l: [1, "x"], o: { k: "v" } });
    assert.deepEqual(struct.fields, {
      aud: { listValue: { values: [{ stringValue: "a" }] } },
      n: { numberValue: 1.5 },
      b: { boolValue: false },
      z: { nullValue: "NULL_VALUE" },
      l: { listValue: { values: [{ numberValue: 1 }, { stringValue: "x" }] } },
      o: { structValue: { fields: { k: { stringValue: "v" } } } },
    });
  });

  it("refuses claims nested deeper than any real token's", () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    assert.throws(() => claimsToStruct(deep), RangeError);
  });
});
