// Builds the interoperability clients that the tests in test/interop run: the go-spiffe program (Go
// module proxy; go.mod and go.sum pinned in test/interop/go-workload-client), a virtualenv with
// py-spiffe (PyPI; pinned in test/interop/python/requirements.txt), AWS's IAM Roles Anywhere
// credential helper, aws_signing_helper (Go module github.com/aws/rolesanywhere-credential-helper,
// pinned in test/interop/aws-signing-helper), the java-spiffe and plain grpc-java programs (Maven
// Central; pinned in test/interop/java/pom.xml), grpcurl (Go module proxy, a pinned version) and,
// only with TESSERA_INTEROP_RUST=1, the Rust `spiffe` crate's program (crates.io; Cargo.lock pinned
// in test/interop/rust). All land in build/interop/ (git-ignored). Idempotent: a client is rebuilt
// only when its sources changed. `node scripts/interop-setup.mjs` runs it; tests call
// `ensureInteropClients()`, `ensureAwsSigningHelper()`, and `ensureMatrixClients()` for the clients
// that may be missing on a machine (reported as skipped).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "build", "interop");
const goSource = join(root, "test", "interop", "go-workload-client");
const pySource = join(root, "test", "interop", "python");
const helperSource = join(root, "test", "interop", "aws-signing-helper");
const venv = join(outDir, "venv");
const javaSource = join(root, "test", "interop", "java");
const javaOut = join(outDir, "java");
const rustSource = join(root, "test", "interop", "rust");
/** grpcurl, the plainest Go gRPC client: its own go.mod and go.sum pin what it builds with. */
export const GRPCURL_MODULE = "github.com/fullstorydev/grpcurl";
export const GRPCURL_VERSION = "v1.9.4";

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

/** Like `digestOf`, over every file below `dir` except `skip` (build output). */
function digestOfTree(dir, extra = "", skip = new Set(["target"])) {
  const hash = createHash("sha256").update(extra);
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (skip.has(entry.name)) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(path.slice(dir.length)).update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest("hex");
}

function versionOf(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`;
}

function isCurrent(stampPath, digest, product) {
  return existsSync(product) && existsSync(stampPath) && readFileSync(stampPath, "utf8") === digest;
}

/** Build the Go package `pkg` of the module in `source` to build/interop/`name` (or `into`/`name`) unless it is current. */
export function ensureGoBuild(name, source, pkg, cgo, into = outDir) {
  const binary = join(into, name);
  const stamp = `${binary}.stamp`;
  const go = findGo();
  const digest = digestOf(source, spawnSync(go, ["version"], { encoding: "utf8" }).stdout);
  if (isCurrent(stamp, digest, binary)) return binary;
  mkdirSync(into, { recursive: true });
  run(go, ["build", "-mod=readonly", "-buildvcs=false", "-trimpath", "-o", binary, pkg], {
    cwd: source,
    env: { ...process.env, CGO_ENABLED: cgo ? "1" : "0" },
  });
  writeFileSync(stamp, digest);
  return binary;
}

/** Build the go-spiffe client unless it is current; returns the binary's path. */
export function ensureGoClient() {
  return ensureGoBuild("go-workload-client", goSource, ".", false);
}

/**
 * Build aws_signing_helper unless it is current; returns the binary's path. It needs cgo (its PKCS#11
 * signer links against libc), so a C compiler, as the agent's native addon does.
 */
export function ensureAwsSigningHelper() {
  return ensureGoBuild("aws_signing_helper", helperSource, "github.com/aws/rolesanywhere-credential-helper", true);
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

/**
 * Compile the java-spiffe and grpc-java programs unless current (Maven: offline from the local
 * repository when it has everything, else from Maven Central); returns the java command's classpath.
 */
export function ensureJavaClients() {
  const classpathFile = join(javaOut, "classpath.txt");
  const stamp = join(javaOut, "build.stamp");
  const digest = digestOfTree(javaSource, versionOf("java", ["-version"]));
  if (!isCurrent(stamp, digest, classpathFile)) {
    const goals = ["-q", "-B", "compile", "dependency:build-classpath", `-Dmdep.outputFile=${classpathFile}`];
    const offline = spawnSync("mvn", ["-o", ...goals], { cwd: javaSource, stdio: ["ignore", "ignore", "ignore"] });
    if (offline.error) throw new Error(`interop-setup: cannot run mvn: ${offline.error.message}`);
    if (offline.status !== 0) run("mvn", goals, { cwd: javaSource });
    writeFileSync(stamp, digest);
  }
  return `${join(javaOut, "classes")}${delimiter}${readFileSync(classpathFile, "utf8").trim()}`;
}

/** Install grpcurl at its pinned version unless current; returns the binary's path. */
export function ensureGrpcurl() {
  const binDir = join(outDir, "bin");
  const binary = join(binDir, "grpcurl");
  const stamp = `${binary}.stamp`;
  const go = findGo();
  const digest = `${GRPCURL_MODULE}@${GRPCURL_VERSION} ${versionOf(go, ["version"])}`;
  if (isCurrent(stamp, digest, binary)) return binary;
  mkdirSync(binDir, { recursive: true });
  run(go, ["install", "-trimpath", `${GRPCURL_MODULE}/cmd/grpcurl@${GRPCURL_VERSION}`], {
    env: { ...process.env, CGO_ENABLED: "0", GOBIN: binDir, GOFLAGS: "-mod=readonly" },
  });
  writeFileSync(stamp, digest);
  return binary;
}

/** True when the Rust client is wanted: its cold build takes minutes, so it is opt-in. */
export function rustWanted() {
  return process.env.TESSERA_INTEROP_RUST === "1";
}

/** Build the Rust `spiffe` crate's program (Cargo.lock pinned) unless current; returns the binary. */
export function ensureRustClient() {
  const binary = join(outDir, "rust", "release", "rust-workload-client");
  const stamp = join(outDir, "rust", "build.stamp");
  const digest = digestOfTree(rustSource, versionOf("cargo", ["--version"]));
  if (isCurrent(stamp, digest, binary)) return binary;
  run("cargo", ["build", "--release", "--locked", "--quiet", "--target-dir", join(outDir, "rust")], { cwd: rustSource });
  writeFileSync(stamp, digest);
  return binary;
}

/**
 * The clients beyond go-spiffe and py-spiffe, each built when missing: `{ name: result }`, where a
 * result is `{ ok: true, value }` or `{ ok: false, reason }` (the test reports that client skipped).
 */
export function ensureMatrixClients() {
  const attempt = (build) => {
    const started = Date.now();
    try {
      return { ok: true, value: build(), ms: Date.now() - started };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err), ms: Date.now() - started };
    }
  };
  return {
    java: attempt(ensureJavaClients),
    grpcurl: attempt(ensureGrpcurl),
    rust: rustWanted()
      ? attempt(ensureRustClient)
      : { ok: false, reason: "opt-in: its cold build takes minutes on CI's machine; set TESSERA_INTEROP_RUST=1", ms: 0 },
  };
}

/** Both clients, built or installed when missing: the Go binary, and python with the script to run. */
export function ensureInteropClients() {
  return { goClient: ensureGoClient(), python: ensurePythonClient(), pythonScript: join(pySource, "workload_client.py") };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const clients = ensureInteropClients();
  const helper = ensureAwsSigningHelper();
  console.log(`interop clients ready in ${Date.now() - started} ms: ${clients.goClient}, ${clients.python}, ${helper}`);
  for (const [name, result] of Object.entries(ensureMatrixClients())) {
    console.log(`interop client ${name}: ${result.ok ? "ready" : `skipped (${result.reason})`} in ${result.ms} ms`);
  }
}
