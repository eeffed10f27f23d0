import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as nodeHttp from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import http, * as standIn from "./node-http.js";
import { bundleAsLambda } from "./test/bundle-as-lambda.js";

const required = createRequire(import.meta.url)("node:http") as typeof nodeHttp;
const dir = mkdtempSync(join(tmpdir(), "tessera-node-http-"));

describe("the Lambda bundle's node:http", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("is node:http itself, each export the module's own", () => {
    assert.equal(http, required);
    for (const [name, value] of Object.entries(standIn)) {
      if (name !== "default") assert.equal(value, required[name as keyof typeof required], name);
    }
  });

  it("carries the Roles Anywhere client's calls (its HTTP handler imports http) when bundled in node:http's place", async () => {
    const seen: { method?: string; url?: string; authorization?: string }[] = [];
    const server = nodeHttp.createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ crls: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const entry = join(dir, "entry.ts");
      writeFileSync(
        entry,
        [
          'import { ListCrlsCommand } from "@aws-sdk/client-rolesanywhere";',
          `import { createRolesAnywhereClient } from ${JSON.stringify(join(import.meta.dirname, "..", "clients.js"))};`,
          "export const list = (endpoint: string) =>",
          '  createRolesAnywhereClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "s" } })',
          "    .send(new ListCrlsCommand({}));",
        ].join("\n"),
      );
      const outfile = join(dir, "rolesanywhere.mjs");
      assert.doesNotMatch(await bundleAsLambda(entry, outfile), /from\s*["'](?:node:)?http["']/);
      const { list } = (await import(pathToFileURL(outfile).href)) as {
        list: (endpoint: string) => Promise<{ crls?: unknown[] }>;
      };
      const { port } = server.address() as AddressInfo;
      const answer = await list(`http://127.0.0.1:${port}`);
      assert.deepEqual(answer.crls, []);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.method, "GET");
      assert.match(seen[0]!.url!, /^\/crls/);
      assert.match(seen[0]!.authorization!, /^AWS4-HMAC-SHA256 Credential=a\//);
    } finally {
      server.close();
    }
  });
});
