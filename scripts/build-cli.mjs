// Bundles the `tessera` CLI (the agent included) with esbuild into build/cli/ (git-ignored), so that
// bin/tessera.mjs starts it without compiling TypeScript: one ES module per lazily loaded part (the
// agent, `tessera dev`), shared code in chunks, plus build/cli/agent.mjs, `tessera agent` on its own
// (see below). Runs from the root package's `install` script and by
// hand (`node scripts/build-cli.mjs`). build/cli/inputs.json lists the project sources the bundle was
// made from; bin/tessera.mjs falls back to tsx when any of them is newer than the bundle.
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const outdir = join(root, "build", "cli");
const toPosix = (path) => path.split(sep).join("/");

// Sources find files beside them with `new URL(relative, import.meta.url)` (the Workload API proto,
// the native addon, package.json, the bin itself). In the bundle every module lives in build/cli/,
// so each source's import.meta.url is rewritten to its own place, relative to the bundle.
const keepSourceUrls = {
  name: "keep-source-urls",
  setup(plugin) {
    plugin.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const fromBundle = toPosix(relative(outdir, args.path));
      return { contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: "ts" };
    });
  },
};

// The library's modules only declare (no module is imported for what it does on load), so a part of
// the CLI that needs one export of it does not load the rest: the AWS SDK stays with `tessera dev`.
// Its index files name every export (`export { a, b } from "./x.js"`); esbuild assigns a whole file
// to a chunk, and a barrel with a live statement of its own puts everything it re-exports in the
// chunk of every command that uses one name of it (the agent would load the AWS SDK clients of
// `tessera dev`). In the bundle only, such re-exports become `export * from "./x.js"`: the names the
// CLI imports are the same (TypeScript checked them against the real index files), and a name two
// modules both export would fail the build as ambiguous rather than pass unnoticed. The entry points
// (`#tessera/core`, ... in layers/spiffe/) are such barrels too.
const library = join(root, "layers", "spiffe");
const librarySource = join(library, "src");
const isLibraryBarrel = (path) => (path.startsWith(librarySource + sep) && /[\\/]index\.ts$/.test(path)) || dirname(path) === library;
const NAMED_REEXPORT = /export\s*\{([^}]*)\}\s*from\s*("[^"]+");/g;
const starBarrels = {
  name: "star-barrels",
  setup(plugin) {
    plugin.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!isLibraryBarrel(args.path)) return undefined;
      const text = readFileSync(args.path, "utf8");
      const contents = text.replace(NAMED_REEXPORT, (statement, names, from) =>
        /\bas\b/.test(names) ? statement : `export * from ${from};`,
      );
      return { contents, loader: "ts" };
    });
  },
};
const libraryHasNoSideEffects = {
  name: "library-has-no-side-effects",
  setup(plugin) {
    plugin.onResolve({ filter: /^(\.|#tessera\/)/ }, async (args) => {
      if (args.pluginData === "resolving" || !args.resolveDir.startsWith(root)) return undefined;
      const resolved = await plugin.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "resolving",
      });
      if (resolved.errors.length > 0 || !resolved.path.startsWith(library + sep)) return resolved;
      return { ...resolved, sideEffects: false };
    });
  },
};

const started = Date.now();
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const options = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  format: "esm",
  platform: "node",
  // The AWS SDK packages as ES modules (their "module" field), as the Lambda bundles take them: the
  // CommonJS builds cannot be tree-shaken, and a chunk that imports one name of them evaluates the
  // whole package when it loads (Roles Anywhere's client with its own credential chain, STS and SSO
  // clients was most of `tessera dev`'s start: it shares a chunk with code the dev server runs).
  mainFields: ["module", "main"],
  target: "node20",
  outExtension: { ".js": ".mjs" },
  // CommonJS dependencies call require(); give the ES modules one.
  banner: { js: 'import { createRequire as __tesseraRequire } from "node:module"; const require = __tesseraRequire(import.meta.url);' },
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
  plugins: [libraryHasNoSideEffects, starBarrels, keepSourceUrls],
};
// Two builds: every command from cli/main.ts, split into chunks so that each loads only what it uses;
// and `tessera agent` alone from cli/agent-main.ts (agent.mjs, which bin/tessera.mjs loads for it),
// its whole static graph in a few modules. Resolving the imports among the 27 split chunks the agent
// used made node's URL-to-path functions hot enough at start for V8 to optimize them, and the
// optimizing compiler's pages stayed resident: about 5 MiB of the idle agent's memory. Code the agent
// loads lazily (its AWS outputs, the Workload API client) stays in chunks of its own.
const results = await Promise.all([
  build({ ...options, entryPoints: { main: "cli/main.ts" }, splitting: true, chunkNames: "chunk-[hash]" }),
  build({ ...options, entryPoints: { agent: "cli/agent-main.ts" }, splitting: true, chunkNames: "agent-chunk-[hash]" }),
]);
const metafiles = results.map((result) => result.metafile);

const inputs = [...new Set(metafiles.flatMap((metafile) => Object.keys(metafile.inputs)))]
  .filter((path) => !path.startsWith("node_modules/") && !path.includes("/node_modules/"))
  .sort();
if (process.env.TESSERA_BUILD_META) writeFileSync(process.env.TESSERA_BUILD_META, JSON.stringify(metafiles[0]));
writeFileSync(
  join(outdir, "inputs.json"),
  `${JSON.stringify({ built: new Date().toISOString(), inputs: [...inputs, "package.json"] }, null, 1)}\n`,
);
const outputs = metafiles.flatMap((metafile) => Object.values(metafile.outputs));
const bytes = outputs.reduce((sum, output) => sum + output.bytes, 0);
console.log(
  `build-cli: ${toPosix(relative(root, outdir))}/ (${outputs.length} files, ${(bytes / 1024).toFixed(0)} KiB, ` +
    `${inputs.length} sources) in ${Date.now() - started} ms`,
);
