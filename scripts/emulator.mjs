// The local AWS emulator for tests: moto in server mode, pinned, in a project-local virtualenv.
// `node scripts/emulator.mjs setup` installs it; `startEmulator()` runs it on a free loopback port.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const MOTO_VERSION = "5.2.5";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const venv = join(root, ".venv");
const python = join(venv, "bin", "python");
// moto's own `moto_server` serves requests on many threads, and its DynamoDB is not safe under
// concurrency (conditional writes check and store without a lock; a cancelled transaction restores
// a copy of the whole table). Real DynamoDB is atomic, so the emulator runs moto's app on one
// thread: each request is handled whole before the next, and racing callers still interleave.
// It also exits when the process that started it is gone, however that process ended.
const SINGLE_THREADED_MOTO = [
  "import os, sys, threading, time",
  "parent = os.getppid()",
  "def watch_parent():",
  "    while os.getppid() == parent: time.sleep(1)",
  "    os._exit(0)",
  "threading.Thread(target=watch_parent, daemon=True).start()",
  "from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app, run_simple",
  "host, port = sys.argv[1], int(sys.argv[2])",
  "os.environ.setdefault('MOTO_PORT', str(port))",
  "run_simple(host, port, DomainDispatcherApplication(create_backend_app), threaded=False, request_handler=MotoRequestHandler)",
].join("\n");

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`emulator: ${cmd} ${args.join(" ")} exited ${r.status}`);
}

function installedMotoVersion() {
  if (!existsSync(python)) return undefined;
  const r = spawnSync(python, ["-c", "import moto; print(moto.__version__)"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Create .venv and install the pinned moto[server] when it is missing or another version. */
export function ensureMoto() {
  if (installedMotoVersion() === MOTO_VERSION) return;
  if (!existsSync(python)) run("python3", ["-m", "venv", venv]);
  run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", `moto[server]==${MOTO_VERSION}`]);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(url, child, deadlineMs) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`emulator: moto_server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`emulator: moto_server did not answer at ${url} within ${deadlineMs} ms`);
}

/** Start moto on a free 127.0.0.1 port. Returns `{ endpoint, stop() }`. */
export async function startEmulator() {
  ensureMoto();
  const port = await freePort();
  const child = spawn(python, ["-c", SINGLE_THREADED_MOTO, "127.0.0.1", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitReady(endpoint, child, 30_000);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${err.message}\n${stderr}`);
  }
  return {
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "setup") {
  ensureMoto();
  console.log(`moto ${MOTO_VERSION} ready in ${venv}`);
}
