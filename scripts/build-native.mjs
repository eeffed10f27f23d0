// Builds the agent's native addon (agent/native, SO_PEERCRED for workload attestation) with the
// node-gyp that ships with npm, against the headers of the Node that runs this script, so that
// `npm ci` works offline. Runs as the root package's `install` script.
// Fatal on Linux (the agent cannot attest workloads without it); a warning elsewhere.
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const nativeDir = join(root, "agent", "native");
const addonPath = join(nativeDir, "build", "Release", "peercred.node");

function findNodeGyp() {
  const nodeBin = dirname(process.execPath);
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    join(nodeBin, "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    join(nodeBin, "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  return candidates.find((c) => c && existsSync(c));
}

// The installed Node's own headers (<prefix>/include/node), so node-gyp never downloads them.
function findNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = join(dirname(realpathSync(process.execPath)), "..");
  return existsSync(join(prefix, "include", "node", "node_api.h")) ? prefix : undefined;
}

function fail(message) {
  if (process.platform === "linux") {
    console.error(`build-native: ${message}`);
    process.exit(1);
  }
  console.warn(`build-native: ${message}; workload attestation needs Linux, continuing without it`);
  process.exit(0);
}

const started = Date.now();
const nodeGyp = findNodeGyp();
if (!nodeGyp) fail("node-gyp not found (npm_config_node_gyp unset and no npm next to node)");
const nodeDir = findNodeDir();
const args = [nodeGyp, "rebuild", "--loglevel=warn"];
if (nodeDir) args.push(`--nodedir=${nodeDir}`);
else console.warn(`build-native: no headers under ${join(dirname(process.execPath), "..", "include", "node")}; node-gyp will fetch them`);

const result = spawnSync(process.execPath, args, { cwd: nativeDir, stdio: "inherit" });
if (result.status !== 0) fail(`node-gyp failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
try {
  const addon = createRequire(import.meta.url)(addonPath);
  if (typeof addon.getPeerCredentials !== "function") throw new Error("getPeerCredentials missing");
} catch (err) {
  fail(`built addon does not load: ${err.message}`);
}
console.log(`build-native: ${relative(root, addonPath)} built in ${Date.now() - started} ms`);
