import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Clock, IssuerUnreachableError } from "#tessera/core";
import type { HttpResult } from "#tessera/contract";
import type { AdminClient } from "../admin-client.js";
import { CONSOLE_PREFIX, STRICT_HEADERS, serveConsole } from "./console-front.js";
import { ConsoleGate } from "./console-gate.js";
import { listenHttp, readBody, refusal, send } from "./local-front.js";

const ADMIN_PREFIX = "/v1/admin/";

/** A running `tessera console`. */
export interface ConsoleProxy {
  url: string;
  gate: ConsoleGate;
  server: Server;
  close(): Promise<void>;
}

async function forward(admin: AdminClient, method: string, path: string, body: string | undefined): Promise<HttpResult> {
  const answer = await admin.forward(method, path, body);
  return { statusCode: answer.status, headers: { ...STRICT_HEADERS, "content-type": "application/json" }, body: answer.body };
}

/**
 * Serve the console on loopback for an issuer in AWS, as `kubectl proxy` does: the browser logs in
 * with a one-time code as with `tessera dev`, and each admin call it makes is signed with the
 * operator's AWS credentials (SigV4) and sent on, so IAM stays the only gate. Only `/console`,
 * `/v1/admin/*` (with a console session, header and Origin) and the public `/v1/bundle` pass.
 */
export async function startConsoleProxy(options: { admin: AdminClient; host: string; port: number; clock: Clock }): Promise<ConsoleProxy> {
  const gate = new ConsoleGate(options.clock, () => {
    const address = server.address() as AddressInfo | null;
    return address ? [`${options.host}:${address.port}`, `localhost:${address.port}`] : [];
  });
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://local");
      const method = req.method ?? "GET";
      if (url.pathname === CONSOLE_PREFIX || url.pathname.startsWith(`${CONSOLE_PREFIX}/`))
        return send(res, await serveConsole(req, url, gate));
      if (url.pathname === "/v1/bundle" && method === "GET") {
        const bundle = await options.admin.issuer.fetchBundle(url.searchParams.get("format") === "pem" ? "pem" : undefined);
        return send(res, {
          statusCode: 200,
          headers: {
            ...STRICT_HEADERS,
            "content-type": url.searchParams.get("format") === "pem" ? "application/x-pem-file" : "application/json",
          },
          body: bundle,
        });
      }
      if (!url.pathname.startsWith(ADMIN_PREFIX)) return send(res, refusal("ERR_NOT_FOUND", `console: no ${method} ${url.pathname}`));
      const verdict = gate.authorize(req);
      if (verdict === "no_session")
        return send(res, refusal("ERR_UNAUTHORIZED", "console: log in with the one-time link tessera console printed"));
      if (verdict === "forbidden")
        return send(
          res,
          refusal("ERR_CONSOLE_FORBIDDEN", "console: a console call needs the console's header and this server's Host and Origin"),
        );
      const body = await readBody(req);
      if (body === undefined) return send(res, refusal("ERR_BODY_TOO_LARGE", "console: request body too large"));
      send(res, await forward(options.admin, method, `${url.pathname}${url.search}`, body.length ? body.toString("utf8") : undefined));
    } catch (err) {
      if (!res.headersSent)
        send(
          res,
          refusal(
            IssuerUnreachableError.code,
            `console: the issuer could not be reached or the call could not be signed (${(err as Error).name})`,
          ),
        );
    }
  });
  return { ...(await listenHttp(server, options.host, options.port)), gate, server };
}
