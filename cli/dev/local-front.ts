import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { adminRoutesOf } from "../../functions/admin/create-handler.js";
import { issueRoutes } from "../../functions/issue/routes.js";
import { joinRoutes } from "../../functions/join/routes.js";
import { type Clock, systemClock } from "#tessera/core";
import {
  createHttpRouter,
  type HttpEvent,
  type HttpResult,
  jsonResponse,
  RETRY_AFTER_SECONDS_BY_CODE,
  routeKeyOf,
  statusForCode,
} from "#tessera/contract";
import type { TesseraRuntime } from "#tessera/aws";
import { CONSOLE_PREFIX, STRICT_HEADERS, serveConsole } from "./console-front.js";
import { ConsoleGate } from "./console-gate.js";
import { consoleLoginCodeRoute } from "./console-login-route.js";

const MAX_BODY_BYTES = 1024 * 1024;
const DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES;
const ADMIN_PREFIX = "/v1/admin/";
const ADMIN_TOKEN_NEEDED =
  "dev: the dev issuer's admin routes need its admin token as Authorization: Bearer, and this request's is missing or wrong " +
  "(the CLI reads it from the admin-token file in the dev issuer's --data-dir, or takes --admin-token / TESSERA_ADMIN_TOKEN)";
/** The principal the local front puts in the request context after checking the admin token. */
export const LOCAL_ADMIN_PRINCIPAL = "local-admin";
/** The principal of calls made from a console session. */
export const LOCAL_CONSOLE_PRINCIPAL = "local-console";
const CONSOLE_LOGIN_PATH = consoleLoginCodeRoute.path;

/**
 * Read at most `MAX_BODY_BYTES` of the body. A larger one (declared or sent, chunked or not) gives
 * `undefined` at once; the rest is read and dropped up to `DRAIN_LIMIT_BYTES` so the client gets
 * the 413 instead of a reset, and only a client that keeps sending past that loses its connection.
 */
export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const tooLarge = () => {
    let drained = 0;
    req.on("error", () => undefined);
    req.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_LIMIT_BYTES) req.socket.destroy();
    });
    return undefined;
  };
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) return Promise.resolve(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData);
      req.off("end", onEnd);
      resolve(tooLarge());
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}

function tokenMatches(header: string | undefined, adminToken: string): boolean {
  const presented = Buffer.from(/^Bearer (.+)$/.exec(header ?? "")?.[1] ?? "", "utf8");
  const expected = Buffer.from(adminToken, "utf8");
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function toEvent(req: IncomingMessage, url: URL, body: Buffer, routeKey: string, params: Record<string, string>): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => {
    query[key] = value;
  });
  const now = new Date();
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: "local",
      apiId: "local",
      domainName: url.host,
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: body.toString("utf8") } : {}),
    isBase64Encoded: false,
  } as HttpEvent;
}

/** Write a handler's result to a node response. */
export function send(res: ServerResponse, result: HttpResult): void {
  res.writeHead(result.statusCode, (result.headers ?? {}) as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? ""));
}

/** Listen on `host:port` (port 0 picks a free one); resolve with the URL served and a `close` that waits for the server to stop. */
export async function listenHttp(server: Server, host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The `host:port` values the front answers to: its own address, and `localhost` beside a loopback address. */
function hostsOf(server: Server, host: string): string[] {
  const address = server.address() as AddressInfo | null;
  if (!address) return [];
  const hosts = [`${host}:${address.port}`];
  if (host === "127.0.0.1" || host === "::1") hosts.push(`localhost:${address.port}`);
  return hosts;
}

/** An error answer with `code`'s status and the console's strict headers. */
export const refusal = (code: string, message: string): HttpResult =>
  jsonResponse(statusForCode(code), { error: { code, message } }, { ...STRICT_HEADERS });

/**
 * Who may make an admin call: the admin token (the CLI), or a console session with the console's
 * header and this server's Origin. The token alone may mint a console login code.
 */
function admit(req: IncomingMessage, url: URL, adminToken: string, gate: ConsoleGate): { principal: string } | HttpResult {
  if (tokenMatches(req.headers.authorization, adminToken)) {
    if (url.pathname === CONSOLE_LOGIN_PATH && req.method === "POST") {
      return jsonResponse(201, { login_path: `${CONSOLE_PREFIX}/login?code=${gate.issueLoginCode()}` }, { ...STRICT_HEADERS });
    }
    return { principal: LOCAL_ADMIN_PRINCIPAL };
  }
  if (url.pathname === CONSOLE_LOGIN_PATH) return refusal("ERR_UNAUTHORIZED", ADMIN_TOKEN_NEEDED);
  const verdict = gate.authorize(req);
  if (verdict === "no_session") return refusal("ERR_UNAUTHORIZED", ADMIN_TOKEN_NEEDED);
  if (verdict === "forbidden")
    return refusal("ERR_CONSOLE_FORBIDDEN", "dev: a console call needs the console's header and this server's Host and Origin");
  return { principal: LOCAL_CONSOLE_PRINCIPAL };
}

/** A running local front. */
export interface LocalFront {
  url: string;
  server: Server;
  /** The console's sessions; `issueLoginCode` makes the code of a one-time login URL. */
  consoleGate: ConsoleGate;
  /**
   * Stop accepting connections; resolves once every request under way has been answered and handled.
   * A connection still open after the shutdown grace (a client that never finishes its request or
   * never reads its answer) is cut then; resolves with how many were cut.
   */
  close(): Promise<number>;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A local front that listens (so its URL is known) but answers 503 until `serve` gives it a runtime. */
export interface ListeningFront extends LocalFront {
  serve(runtime: TesseraRuntime, adminToken: string): void;
}

const STARTING = { error: { code: "ERR_AUTHORITY_UNAVAILABLE", message: "dev: the issuer is still starting" } };
const STOPPING = { error: { code: "ERR_SHUTTING_DOWN", message: "dev: the issuer is shutting down" } };
/** How long `close` waits for the requests under way before cutting their connections. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** Cut every connection of `server` if it has not stopped within `graceMs`; resolves with how many were cut. */
async function stopWithin(server: Server, stopped: Promise<void>, graceMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<true>((resolve) => {
    timer = setTimeout(() => resolve(true), graceMs);
  });
  try {
    if ((await Promise.race([stopped.then(() => false), late])) === false) return 0;
  } finally {
    clearTimeout(timer);
  }
  const open = await new Promise<number>((resolve) => server.getConnections((_err, count) => resolve(count)));
  server.closeAllConnections();
  await stopped;
  return open;
}

/**
 * Listen on `host:port` before the runtime exists, so the issuer can be configured with its own URL
 * (`tessera dev`'s OIDC issuer); requests are answered 503 until `serve` is called, and again (with
 * `ERR_SHUTTING_DOWN`) once `close` is. `clock` times console logins; `shutdownGraceMs` bounds `close`
 * (default {@link DEFAULT_SHUTDOWN_GRACE_MS}).
 */
export async function listenLocalFront(options: {
  host: string;
  port: number;
  clock?: Clock;
  shutdownGraceMs?: number;
}): Promise<ListeningFront> {
  let listener: RequestListener | undefined;
  let closing = false;
  const consoleGate = new ConsoleGate(options.clock ?? systemClock, () => hostsOf(server, options.host));
  const handling = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    if (closing) {
      const retry = String(RETRY_AFTER_SECONDS_BY_CODE[STOPPING.error.code]);
      return send(res, jsonResponse(statusForCode(STOPPING.error.code), STOPPING, { "retry-after": retry, connection: "close" }));
    }
    if (!listener) return send(res, jsonResponse(statusForCode(STARTING.error.code), STARTING, { "retry-after": "1" }));
    const handled = listener(req, res).finally(() => handling.delete(handled));
    handling.add(handled);
  });
  const http = await listenHttp(server, options.host, options.port);
  return {
    url: http.url,
    // Stop accepting connections and refuse new requests on open ones, then wait (within the grace)
    // for every request under way to be answered and handled.
    close: async () => {
      closing = true;
      const cut = await stopWithin(server, http.close(), options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      await Promise.all(handling);
      return cut;
    },
    server,
    consoleGate,
    serve: (runtime, adminToken) => {
      listener = requestListener(runtime, adminToken, consoleGate);
    },
  };
}

/**
 * Serve the Lambda handlers over plain HTTP on one machine, shaping requests as API Gateway HTTP
 * API events. Admin routes need `Authorization: Bearer <admin token>`; the front then sets the
 * principal where API Gateway's IAM authoriser would.
 */
export async function startLocalFront(options: {
  runtime: TesseraRuntime;
  host: string;
  port: number;
  adminToken: string;
}): Promise<LocalFront> {
  const front = await listenLocalFront({ ...options, clock: options.runtime.clock });
  front.serve(options.runtime, options.adminToken);
  return front;
}

function requestListener(runtime: TesseraRuntime, adminToken: string, consoleGate: ConsoleGate): RequestListener {
  const router = createHttpRouter([...joinRoutes(runtime.issuer), ...issueRoutes(runtime.issuer), ...adminRoutesOf(runtime)], {
    logger: runtime.logger,
  });
  return async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://local");
      const body = await readBody(req);
      if (body === undefined) {
        send(
          res,
          jsonResponse(statusForCode("ERR_BODY_TOO_LARGE"), {
            error: { code: "ERR_BODY_TOO_LARGE", message: `http: request body is larger than ${MAX_BODY_BYTES} bytes` },
          }),
        );
        return;
      }
      if (url.pathname === CONSOLE_PREFIX || url.pathname.startsWith(`${CONSOLE_PREFIX}/`)) {
        send(res, await serveConsole(req, url, consoleGate));
        return;
      }
      const found = router.match(req.method ?? "GET", url.pathname);
      const event = toEvent(
        req,
        url,
        body,
        found ? routeKeyOf(found.route.descriptor) : `${req.method} ${url.pathname}`,
        found?.params ?? {},
      );
      if (url.pathname.startsWith(ADMIN_PREFIX)) {
        const admitted = admit(req, url, adminToken, consoleGate);
        if ("statusCode" in admitted) {
          send(res, admitted);
          return;
        }
        event.requestContext.authorizer = { iam: { userArn: admitted.principal } };
      }
      const result = await router.handle(event);
      send(res, url.pathname.startsWith(ADMIN_PREFIX) ? { ...result, headers: { ...result.headers, ...STRICT_HEADERS } } : result);
    } catch (err) {
      // A connection cut mid-request (the client left, or the shutdown grace ran out) is no failure.
      if (req.socket.destroyed) return;
      runtime.logger.error("local front failed", { error: err });
      if (!res.headersSent) send(res, jsonResponse(500, { error: { code: "ERR_INTERNAL", message: "internal error" } }));
    }
  };
}
