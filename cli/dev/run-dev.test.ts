import assert from "node:assert/strict";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../../test/support/temp-dir.js";
import { startDevServer } from "./run-dev.js";

let tmp: { path: string; remove(): Promise<void> };

before(async () => {
  tmp = await makeTempDir("run-dev");
});
after(async () => {
  await tmp.remove();
});

describe("tessera dev: stop", () => {
  it("answers a request under way from the store before closing it, and takes no new connection", async () => {
    const dev = await startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: 0,
      env: { TESSERA_LOG_LEVEL: "ERROR" },
    });
    const adminToken = (await readFile(dev.adminTokenPath, "utf8")).trim();
    let stopping: Promise<void> | undefined;
    dev.front.server.once("request", () => {
      stopping = dev.stop();
    });
    const res = await fetch(`${dev.url}/v1/admin/bots`, { headers: { authorization: `Bearer ${adminToken}` } });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.ok(stopping, "stop began while the request was under way");
    await stopping;
    await assert.rejects(fetch(`${dev.url}/v1/admin/bots`), "the front no longer listens");
  });
});

describe("tessera dev: shutting down", () => {
  it(
    "cuts a client that never finishes its request once the shutdown grace has passed, and closes the store",
    { timeout: 120_000 },
    async () => {
      const dataDir = join(tmp.path, "slow-client");
      const dev = await startDevServer({ dataDir, host: "127.0.0.1", port: 0, shutdownGraceMs: 200, env: { TESSERA_LOG_LEVEL: "ERROR" } });
      const { port } = new URL(dev.url);
      const socket = connect(Number(port), "127.0.0.1");
      socket.on("error", () => undefined);
      const arrived = once(dev.front.server, "request");
      // Promises 100 bytes of body and sends one, then nothing: the request never ends.
      socket.write(
        `POST /v1/admin/bots HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
      );
      await arrived;
      const cut = once(socket, "close");
      await dev.stop();
      await cut;
      const again = await startDevServer({ dataDir, host: "127.0.0.1", port: 0, env: { TESSERA_LOG_LEVEL: "ERROR" } });
      await again.stop();
    },
  );

  it("answers a new request on a connection already open while it stops 503 ERR_SHUTTING_DOWN", async () => {
    const dev = await startDevServer({
      dataDir: join(tmp.path, "pipelined"),
      host: "127.0.0.1",
      port: 0,
      env: { TESSERA_LOG_LEVEL: "ERROR" },
    });
    const { port } = new URL(dev.url);
    const socket = connect(Number(port), "127.0.0.1");
    let answers = "";
    socket.on("data", (chunk: Buffer) => (answers += chunk.toString("latin1")));
    const arrived = once(dev.front.server, "request");
    socket.write(`POST /v1/admin/bots HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{`);
    await arrived;
    const stopping = dev.stop();
    // The first request ends after the stop began; the second one follows it on the same connection.
    socket.write(`}GET /v1/bundle HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await once(socket, "close");
    await stopping;
    const statuses = [...answers.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1]);
    assert.deepEqual(statuses, ["401", "503"], answers);
    assert.match(answers, /"code":"ERR_SHUTTING_DOWN"[\s\S]*$/);
    assert.match(answers, /retry-after: 5/i);
  });

  it("answers a call that reaches the closing store 503 ERR_SHUTTING_DOWN with Retry-After, so a client retries", async () => {
    const dev = await startDevServer({
      dataDir: join(tmp.path, "closing"),
      host: "127.0.0.1",
      port: 0,
      env: { TESSERA_LOG_LEVEL: "ERROR" },
    });
    const adminToken = (await readFile(dev.adminTokenPath, "utf8")).trim();
    try {
      await dev.runtime.close();
      const res = await fetch(`${dev.url}/v1/admin/bots`, { headers: { authorization: `Bearer ${adminToken}` } });
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(res.status, 503, JSON.stringify(body));
      assert.equal(body.error.code, "ERR_SHUTTING_DOWN");
      assert.equal(res.headers.get("retry-after"), "5");
    } finally {
      await dev.stop();
    }
  });
});
