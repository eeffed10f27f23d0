import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { request } from "node:http";
import { startLocalFront, type LocalFront } from "../../cli/dev/local-front.js";
import {
  FixedClock,
  SpiffeId,
  buildRuntime,
  createCsr,
  ensureAuthorities,
  loadConfig,
  type RuntimeOverrides,
  type Store,
  type TesseraRuntime,
} from "../../layers/spiffe/src/index.js";
import { createCaptureLogger } from "./capture-logger.js";

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdefghijklmnopqrstuv";
export const TRUST_DOMAIN = "example.org";

/** A running issuer behind the local front, on a frozen clock. */
export interface IssuerHarness {
  url: string;
  runtime: TesseraRuntime;
  clock: FixedClock;
  logger: ReturnType<typeof createCaptureLogger>;
  front: LocalFront;
  close(): Promise<void>;
}

/** Start the issuer with the given environment (store and key manager kinds) and parts. */
export async function startIssuer(env: Record<string, string>, overrides: RuntimeOverrides = {}): Promise<IssuerHarness> {
  const clock = new FixedClock(Date.now());
  const logger = createCaptureLogger();
  const config = loadConfig({ TESSERA_TRUST_DOMAIN: TRUST_DOMAIN, TESSERA_LOG_LEVEL: "ERROR", ...env });
  const runtime = await buildRuntime(config, { clock, logger, ...overrides });
  await ensureAuthorities(runtime.authority, runtime.authorityPolicy);
  const front = await startLocalFront({ runtime, host: "127.0.0.1", port: 0, adminToken: ADMIN_TOKEN });
  return {
    url: front.url,
    runtime,
    clock,
    logger,
    front,
    close: async () => {
      await front.close();
      await runtime.close();
    },
  };
}

/** An HTTP answer, parsed. */
export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  text: string;
}

/** Call the issuer over HTTP. */
export async function call(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string | ReadableStream<Uint8Array>; contentType?: string; bearer?: string; admin?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined || options.rawBody !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.admin) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(options.rawBody !== undefined ? { body: options.rawBody, duplex: "half" } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  } as RequestInit);
  return answerOf(res.status, res.headers, await res.text());
}

function answerOf(status: number, headers: Headers, text: string): Answer {
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // PEM or empty
  }
  return { status, headers, json, text };
}

/**
 * Send `headers` and then `body`, leaving the request open, with node's client, for requests fetch
 * will not make (a Content-Length that lies). Rejects on a reset or after 5 s without an answer.
 */
export function callUnfinished(url: string, path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "POST", headers });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error("no answer in 5 s"));
    }, 5000);
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        clearTimeout(timer);
        req.destroy();
        resolve(answerOf(res.statusCode ?? 0, new Headers(), text));
      });
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.write(body);
  });
}

/** The error code of an error answer. */
export function codeOf(answer: Answer): string | undefined {
  return (answer.json.error as { code?: string } | undefined)?.code;
}

/** A workload key pair and a CSR for it. */
export async function makeCsr(spiffeId?: string): Promise<{ privateKey: KeyObject; csr: string }> {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const csr = await createCsr({ privateKey, ...(spiffeId ? { spiffeId: SpiffeId.fromString(spiffeId) } : {}) });
  return { privateKey, csr };
}

/** Everything in the store that a refused request must leave alone. */
export async function snapshotStore(store: Store): Promise<string> {
  const [bots, tokens, instances, audit, x509, jwt] = await Promise.all([
    store.listBots(),
    store.listJoinTokens(),
    store.listBotInstances(),
    store.listAudit({ limit: 1000 }),
    store.getJournal("x509"),
    store.getJournal("jwt"),
  ]);
  const byKey = <T>(list: T[], key: (t: T) => string) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
  return JSON.stringify({
    bots: byKey(bots, (b) => b.name),
    tokens: byKey(tokens, (t) => t.tokenHash),
    instances: byKey(instances, (i) => i.id),
    audit: audit.map((e) => e.id).sort(),
    x509,
    jwt,
  });
}
