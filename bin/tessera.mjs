#!/usr/bin/env node
// The `tessera` command. Tessera ships as TypeScript; tsx compiles it on load.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../cli/main.ts");
const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
});
if (code !== 0) process.exitCode = code;
