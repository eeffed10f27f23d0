// `tessera dev --jwt-svids false`, end to end: the dev issuer says so at start, makes no JWT key on
// disk, refuses JWT-SVIDs with their code, and `tessera ca status` says JWT-SVIDs are off.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runTessera, startDevProcess, type DevProcess } from "../support/cli-process.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("end to end: `tessera dev --jwt-svids false`", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dataDir: string;
  let dev: DevProcess;
  const cli = (...args: string[]) => runTessera([...args, "--issuer", dev.url, "--data-dir", dataDir]);

  before(async () => {
    tmp = await makeTempDir("e2e-jwt-off");
    dataDir = join(tmp.path, "data");
    dev = await startDevProcess(dataDir, ["--jwt-svids", "false"]);
  });
  after(async () => {
    await dev?.stop();
    await tmp?.remove();
  });

  it("says JWT-SVIDs are off at start and keeps only the CA key on disk", () => {
    assert.match(dev.output(), /JWT-SVIDs: +off \(--jwt-svids false\)/);
    assert.deepEqual(readdirSync(join(dataDir, "keys")).sort(), ["x509-ca-a.pem"]);
  });

  it("refuses a JWT-SVID with 403 ERR_JWT_SVIDS_DISABLED, and `tessera ca status` says JWT-SVIDs are off", async () => {
    const res = await fetch(`${dev.url}/v1/svids/jwt`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer not-a-credential" },
      body: JSON.stringify({ spiffe_id: "spiffe://example.org/demo/web", audience: ["db"] }),
    });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, "ERR_JWT_SVIDS_DISABLED");
    const status = await cli("ca", "status");
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^JWT-SVIDs: off \(TESSERA_JWT_SVIDS=false\)/m);
    const rotate = await cli("ca", "rotate", "--emergency", "--kind", "jwt");
    assert.equal(rotate.code, 1, rotate.stdout);
    assert.match(rotate.stderr, /ERR_JWT_SVIDS_DISABLED/);
  });
});
