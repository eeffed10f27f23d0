import { build } from "esbuild";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";

const ERROR_MODULES = ["errors.ts", "aws/errors.ts", "bundlepublisher/errors.ts"].map((file) => join(import.meta.dirname, file));
const dir = mkdtempSync(join(tmpdir(), "tessera-error-names-"));

/** The error modules bundled and minified the way the Lambda bundles are (no keepNames), then loaded. */
async function loadMinified(): Promise<Record<string, unknown>> {
  const entry = join(dir, "entry.ts");
  writeFileSync(entry, ERROR_MODULES.map((file) => `export * from ${JSON.stringify(file)};`).join("\n"));
  const outfile = join(dir, "errors.mjs");
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "node",
    minify: true,
    keepNames: false,
    outfile,
    logLevel: "silent",
  });
  return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
}

describe("error names in a minified bundle", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("every Tessera error keeps its class's name, which logs show beside its code", async () => {
    const errors = await loadMinified();
    const base = errors.TesseraError as new (message: string) => Error & { code: string };
    const classes = Object.entries(errors).filter(
      (entry): entry is [string, typeof base] =>
        typeof entry[1] === "function" && (entry[1] === base || entry[1].prototype instanceof base),
    );
    assert.ok(classes.length > 50, `only ${classes.length} error classes found`);
    for (const [name, errorClass] of classes) {
      const err = new errorClass("test");
      assert.equal(err.name, name);
      assert.match(err.code, /^ERR_[A-Z0-9_]+$/);
    }
  });
});
