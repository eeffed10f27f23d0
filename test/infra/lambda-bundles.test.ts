// What the Lambda functions' bundles cost at every cold start beyond their size: each function entry
// bundled as the CDK app bundles it (ESM, the SDK's ES module builds, the Lambda aliases), left
// unminified so esbuild's module wrappers keep their names.
import { build } from "esbuild";
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { LAMBDA_BUNDLE_ALIASES } from "#tessera/aws";
import { REPO_ROOT } from "../../infra/lib/paths.js";

const ENTRIES = [
  "functions/join/handler.ts",
  "functions/issue/handler.ts",
  "functions/admin/handler.ts",
  "functions/rotate/handler.ts",
  "functions/rotate/bootstrap-handler.ts",
];

let bundles: { entry: string; text: string }[];

before(async () => {
  const result = await build({
    entryPoints: ENTRIES.map((entry) => join(REPO_ROOT, entry)),
    absWorkingDir: REPO_ROOT,
    outdir: join(REPO_ROOT, "lambda-bundles"),
    outbase: REPO_ROOT,
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node24",
    mainFields: ["module", "main"],
    tsconfig: join(REPO_ROOT, "tsconfig.json"),
    alias: Object.fromEntries(
      Object.entries(LAMBDA_BUNDLE_ALIASES).map(([module, file]) => [module, join(REPO_ROOT, "layers/spiffe/src/aws/lambda", file)]),
    ),
    logLevel: "silent",
  });
  bundles = ENTRIES.map((entry) => ({
    entry,
    text: result.outputFiles.find((file) => file.path.endsWith(entry.replace(/\.ts$/, ".js")))!.text,
  }));
});

describe("the Lambda functions' bundles", () => {
  it("run every module's top level once, in order: none is wrapped in a lazy initializer but the stand-ins the SDK's import()s reach", () => {
    // A module reached by an import() (even from code the bundle then drops) is wrapped, and so is
    // every module it imports, shared ones included: V8 then parses each of them twice. The two
    // stand-ins import nothing of the SDK.
    const standIns = new Set(["layers/spiffe/src/aws/lambda/event-streams.ts", "layers/spiffe/src/aws/lambda/node-http.ts"]);
    for (const { entry, text } of bundles) {
      const wrapped = [...text.matchAll(/^var init_\w+ = __esm\(\{\s*"([^"]+)"/gm)].map((m) => m[1]!);
      assert.deepEqual(
        wrapped.filter((module) => !standIns.has(module)),
        [],
        entry,
      );
    }
  });

  it("never import node:http as an ES module (Node 22 and later load undici for its facade)", () => {
    for (const { entry, text } of bundles) {
      assert.doesNotMatch(text, /(?:from|import\()\s*["'](?:node:)?http["']/, entry);
      assert.match(text, /^\/\/ layers\/spiffe\/src\/aws\/lambda\/node-http\.ts$/m, `${entry}: the node:http stand-in`);
    }
  });
});
