import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LAMBDA_BUNDLE_ALIASES } from "../bundle-aliases.js";

const LAMBDA_DIR = join(import.meta.dirname, "..");

/**
 * Bundle `entry` into `outfile` as the CDK app bundles a function (ESM, the SDK's ES module builds,
 * the Lambda aliases), unminified so esbuild's module wrappers keep their names; returns the text.
 */
export async function bundleAsLambda(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "node",
    mainFields: ["module", "main"],
    nodePaths: [join(LAMBDA_DIR, "..", "..", "..", "..", "..", "node_modules")],
    alias: Object.fromEntries(Object.entries(LAMBDA_BUNDLE_ALIASES).map(([module, file]) => [module, join(LAMBDA_DIR, file)])),
    outfile,
    logLevel: "silent",
  });
  return readFileSync(outfile, "utf8");
}

/** The modules esbuild wrapped in a lazy initializer (`__esm`) in an unminified bundle, by initializer name. */
export function lazilyInitialized(bundle: string): string[] {
  return [...bundle.matchAll(/^var (init_\w+) = __esm\(/gm)].map((m) => m[1]!);
}
