#!/usr/bin/env node
// The `tessera` command. It runs the esbuild bundle that `npm install` makes in build/cli/
// (scripts/build-cli.mjs): no TypeScript to compile, and each command loads only what it uses
// (`tessera agent` from build/cli/agent.mjs, its own entry point; every other command from main.mjs).
// When the bundle is missing or any source it was built from has changed since (one stat per source
// file, listed in build/cli/inputs.json), it runs the TypeScript sources through tsx instead, so an
// edited checkout never runs stale code. TESSERA_NO_BUNDLE=1 always uses the sources.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

// A path string, not a URL per file: 289 `new URL`s cost more than the 289 stats.
const root = fileURLToPath(new URL("../", import.meta.url));

const argv = process.argv.slice(2);
const entry = argv[0] === "agent" ? "agent" : "main";

function bundleIsFresh() {
  if (process.env.TESSERA_NO_BUNDLE === "1") return false;
  try {
    const builtAt = statSync(`${root}build/cli/${entry}.mjs`).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(`${root}build/cli/inputs.json`, "utf8"));
    return inputs.every((path) => statSync(root + path).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

let runCli;
if (bundleIsFresh()) {
  ({ runCli } = await import(entry === "agent" ? "../build/cli/agent.mjs" : "../build/cli/main.mjs"));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ runCli } = await import("../cli/main.ts"));
}
const code = await runCli(argv, {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
});
if (code !== 0) process.exitCode = code;
