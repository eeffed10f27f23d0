// Builds the Workload API interoperability clients that the tests in test/interop run: the go-spiffe
// program (Go module proxy; go.mod and go.sum pinned in test/interop/go-workload-client) and a
// virtualenv with py-spiffe (PyPI; pinned in test/interop/python/requirements.txt). Both land in
// build/interop/ (git-ignored). Idempotent: a client is rebuilt only when its sources changed.
// `node scripts/interop-setup.mjs` runs it; tests call `ensureInteropClients()`.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "build", "interop");
const goSource = join(root, "test", "interop", "go-workload-client");
const pySource = join(root, "test", "interop", "python");
const venv = join(outDir, "venv");

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (r.error) throw new Error(`interop-setup: cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`interop-setup: ${cmd} ${args.join(" ")} exited ${r.status}`);
}

/** The `go` command: on PATH, else where the official tarball installs it. */
function findGo() {
  for (const dir of [...(process.env.PATH ?? "").split(delimiter), "/usr/local/go/bin"]) {
    if (dir && existsSync(join(dir, "go"))) return join(dir, "go");
  }
  throw new Error("interop-setup: Go is not installed (needed to build the go-spiffe client)");
}

/** A digest of every file in `dir` plus `extra`, so a stamp tells whether a build is current. */
function digestOf(dir, extra = "") {
  const hash = createHash("sha256").update(extra);
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isFile()) hash.update(entry.name).update(readFileSync(join(dir, entry.name)));
  }
  return hash.digest("hex");
}

function isCurrent(stampPath, digest, product) {
  return existsSync(product) && existsSync(stampPath) && readFileSync(stampPath, "utf8") === digest;
}

/** Build the go-spiffe client unless it is current; returns the binary's path. */
export function ensureGoClient() {
  const binary = join(outDir, "go-workload-client");
  const stamp = `${binary}.stamp`;
  const go = findGo();
  const digest = digestOf(goSource, spawnSync(go, ["version"], { encoding: "utf8" }).stdout);
  if (isCurrent(stamp, digest, binary)) return binary;
  mkdirSync(outDir, { recursive: true });
  run(go, ["build", "-mod=readonly", "-buildvcs=false", "-trimpath", "-o", binary, "."], {
    cwd: goSource,
    env: { ...process.env, CGO_ENABLED: "0" },
  });
  writeFileSync(stamp, digest);
  return binary;
}

/** Create the virtualenv with py-spiffe unless it is current; returns its python. */
export function ensurePythonClient() {
  const python = join(venv, "bin", "python");
  const stamp = join(venv, "requirements.stamp");
  const digest = digestOf(pySource);
  if (isCurrent(stamp, digest, python)) return python;
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(python)) run("python3", ["-m", "venv", venv]);
  run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", join(pySource, "requirements.txt")]);
  writeFileSync(stamp, digest);
  return python;
}

/** Both clients, built or installed when missing: the Go binary, and python with the script to run. */
export function ensureInteropClients() {
  return { goClient: ensureGoClient(), python: ensurePythonClient(), pythonScript: join(pySource, "workload_client.py") };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const clients = ensureInteropClients();
  console.log(`interop clients ready in ${Date.now() - started} ms: ${clients.goClient}, ${clients.python}`);
}
