// Builds the native addons with the node-gyp that ships with npm, against the headers of the Node
// that runs this script, so that `npm ci` works offline: the agent's (agent/native, SO_PEERCRED for
// workload attestation; fatal on Linux, a warning elsewhere) and better-sqlite3's (the embedded
// store's database; always fatal). better-sqlite3's own install script is denied in `allowScripts`:
// it first tries to download a prebuilt binary from GitHub, then lets node-gyp download Node's
// headers. Runs as the root package's `install` script; run it again after changing Node versions.
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

function runNodeGyp(cwd, extra) {
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) return "node-gyp not found (npm_config_node_gyp unset and no npm next to node)";
  const nodeDir = findNodeDir();
  const args = [nodeGyp, "rebuild", "--loglevel=warn", ...extra];
  if (nodeDir) args.push(`--nodedir=${nodeDir}`);
  else console.warn(`build-native: no headers under ${join(dirname(process.execPath), "..", "include", "node")}; node-gyp will fetch them`);
  const result = spawnSync(process.execPath, args, { cwd, stdio: "inherit" });
  return result.status === 0
    ? undefined
    : `node-gyp failed in ${relative(root, cwd)} (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`;
}

const require = createRequire(import.meta.url);

function buildPeercred() {
  const started = Date.now();
  const failure = runNodeGyp(nativeDir, []);
  if (failure) fail(failure);
  try {
    const addon = require(addonPath);
    if (typeof addon.getPeerCredentials !== "function") throw new Error("getPeerCredentials missing");
  } catch (err) {
    fail(`built addon does not load: ${err.message}`);
  }
  console.log(`build-native: ${relative(root, addonPath)} built in ${Date.now() - started} ms`);
}

// Opens an in-memory database in a child process of this Node: proves the driver loads in it. Not
// in this process: a binary that failed to load here would stay loaded, and its rebuilt successor
// would then fail with "Module did not self-register".
function sqliteLoads() {
  const probe = 'new (require("better-sqlite3"))(":memory:").close()';
  const result = spawnSync(process.execPath, ["-e", probe], { cwd: root, encoding: "utf8" });
  if (result.status === 0) return undefined;
  return new Error(result.stderr.split("\n").find((line) => line.startsWith("Error")) ?? `exit ${result.status ?? result.signal}`);
}

function buildSqlite() {
  let packageDir;
  try {
    packageDir = dirname(require.resolve("better-sqlite3/package.json"));
  } catch {
    return; // not installed (npm install --omit of a partial tree): nothing to build
  }
  if (sqliteLoads() === undefined) return;
  const started = Date.now();
  const failure = runNodeGyp(packageDir, ["--release"]);
  const err = failure ?? sqliteLoads()?.message;
  if (err) {
    console.error(`build-native: better-sqlite3: ${err}`);
    process.exit(1);
  }
  console.log(`build-native: better-sqlite3 built in ${Date.now() - started} ms`);
}

buildPeercred();
buildSqlite();
