import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ConfigError, TesseraError } from "#tessera/core";
import { generateSecret, isLoopbackHost, loadConfig, runRotationTick } from "#tessera/issuer";
import { type TesseraRuntime } from "#tessera/aws";
import { buildRuntime } from "#tessera/dev";
import { createDevLogger } from "./dev-logger.js";
import { listenLocalFront, type ListeningFront, type LocalFront } from "./local-front.js";

/** Options of `tessera dev` (and `npm start`). */
export interface DevOptions {
  dataDir: string;
  host: string;
  port: number;
  /** Used on first start; later starts must agree with what the data directory holds. */
  trustDomain?: string;
  /** The rest of the configuration (TTLs...), as environment variables. */
  env: Readonly<Record<string, string | undefined>>;
  /** How often the rotation tick runs, ms (it also runs once at start). Default one minute. */
  tickIntervalMs?: number;
  /** How long `stop` waits for requests under way before cutting their connections, ms. Default 10 seconds. */
  shutdownGraceMs?: number;
}

/** A running dev issuer. */
export interface DevServer {
  url: string;
  runtime: TesseraRuntime;
  front: LocalFront;
  adminTokenPath: string;
  trustDomain: string;
  /** A fresh one-time URL that logs a browser into the console (valid 10 minutes). */
  consoleLoginUrl(): string;
  stop(): Promise<void>;
}

const DEFAULT_TRUST_DOMAIN = "example.org";
/** The `service` of every log line, as in Lambda. */
const DEV_LOG_SERVICE = "tessera";
/** The Lambda schedule ticks every 10 minutes; locally a tick costs a few milliseconds, so every minute. */
const DEFAULT_TICK_INTERVAL_MS = 60_000;

/**
 * Run the rotation tick every `intervalMs`, one at a time; a failed tick is logged. The function
 * returned stops the ticks and resolves once a tick still running has finished.
 */
function startRotationTicks(runtime: TesseraRuntime, intervalMs: number): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = async () => {
    try {
      await runRotationTick({ ...runtime, publishers: [] });
    } catch (err) {
      runtime.logger.error("rotate: tick failed", { code: err instanceof TesseraError ? err.code : "ERR_INTERNAL", error: err });
    } finally {
      running = undefined;
    }
  };
  const timer = setInterval(() => {
    running ??= tick();
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

async function readOrCreate(path: string, make: () => string): Promise<string> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    const value = make();
    await writeFile(path, `${value}\n`, { mode: 0o600, flag: "wx" });
    return value;
  }
}

/**
 * Start the whole issuer on one machine: embedded store and disk keys in `dataDir`, the first CA and
 * JWT key made on first start, the Lambda handlers behind a local HTTP front. Restart keeps it all.
 * The OIDC issuer URL is `TESSERA_ISSUER_URL` when set, else the front's own URL on a loopback host.
 */
export async function startDevServer(options: DevOptions): Promise<DevServer> {
  const front = await listenLocalFront({
    host: options.host,
    port: options.port,
    ...(options.shutdownGraceMs !== undefined ? { shutdownGraceMs: options.shutdownGraceMs } : {}),
  });
  try {
    return await startBehind(front, options);
  } catch (err) {
    await front.close();
    throw err;
  }
}

async function startBehind(front: ListeningFront, options: DevOptions): Promise<DevServer> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const settingsPath = join(dataDir, "settings.json");
  const settings = JSON.parse(
    await readOrCreate(settingsPath, () => JSON.stringify({ trust_domain: options.trustDomain ?? DEFAULT_TRUST_DOMAIN })),
  ) as { trust_domain: string };
  if (options.trustDomain && options.trustDomain !== settings.trust_domain) {
    throw new ConfigError(
      `dev: ${dataDir} belongs to trust domain ${settings.trust_domain}, not ${options.trustDomain}; use another --data-dir`,
    );
  }
  const ownIssuer = URL.canParse(front.url) && isLoopbackHost(new URL(front.url).hostname) ? { TESSERA_ISSUER_URL: front.url } : {};
  const config = loadConfig({
    ...ownIssuer,
    ...options.env,
    TESSERA_TRUST_DOMAIN: settings.trust_domain,
    TESSERA_STORE: "embedded",
    TESSERA_KEY_MANAGER: "disk",
    TESSERA_DATA_DIR: dataDir,
  });
  const adminTokenPath = join(dataDir, "admin-token");
  const adminToken = await readOrCreate(adminTokenPath, () => generateSecret());
  const runtime = await buildRuntime(config, { logger: createDevLogger(config.logLevel, DEV_LOG_SERVICE) });
  try {
    await runRotationTick({ ...runtime, publishers: [] });
    front.serve(runtime, adminToken);
    const stopTicks = startRotationTicks(runtime, options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS);
    return {
      url: front.url,
      runtime,
      front,
      adminTokenPath,
      trustDomain: settings.trust_domain,
      consoleLoginUrl: () => `${front.url}/console/login?code=${front.consoleGate.issueLoginCode()}`,
      // Stop taking requests and ticks, finish those under way (cutting a client too slow to end
      // its request within the grace), and only then close the store.
      stop: async () => {
        const [, cut] = await Promise.all([stopTicks(), front.close()]);
        if (cut > 0) runtime.logger.warn("dev: cut connections still open after the shutdown grace", { connections: cut });
        await runtime.close();
      },
    };
  } catch (err) {
    await runtime.close();
    throw err;
  }
}
