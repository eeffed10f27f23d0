import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deferClient } from "./clients.js";

class CountingClient {
  static made = 0;
  readonly sent: string[] = [];
  constructor() {
    CountingClient.made++;
  }
  async send(command: string): Promise<string> {
    this.sent.push(command);
    return `done ${command}`;
  }
}

describe("deferClient", () => {
  it("makes no client until the first send, then sends every command through that one client", async () => {
    CountingClient.made = 0;
    let made: CountingClient | undefined;
    const client = deferClient(() => (made = new CountingClient()));
    assert.equal(CountingClient.made, 0);

    assert.equal(await client.send("a"), "done a");
    assert.equal(await client.send("b"), "done b");

    assert.equal(CountingClient.made, 1);
    assert.deepEqual(made?.sent, ["a", "b"]);
  });

  it("answers a failure to make the client with a rejected send, and tries again on the next", async () => {
    let attempts = 0;
    const client = deferClient(() => {
      if (++attempts === 1) throw new Error("no region");
      return new CountingClient();
    });
    await assert.rejects(client.send("a"), /no region/);
    assert.equal(await client.send("b"), "done b");
    assert.equal(attempts, 2);
  });
});
