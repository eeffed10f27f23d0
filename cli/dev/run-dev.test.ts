import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
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
