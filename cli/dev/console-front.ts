import { readFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { fileURLToPath } from "node:url";
import { type HttpResult, jsonResponse, statusForCode } from "#tessera/contract";
import type { ConsoleGate } from "./console-gate.js";

/** Where the console's static files live: plain ES modules, no build step. */
const ASSET_DIR = fileURLToPath(new URL("../console/", import.meta.url));
/** Every file the console serves, by name: nothing else under `/console/` is read from disk. */
const ASSETS: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "dom.js": "text/javascript; charset=utf-8",
  "pages.js": "text/javascript; charset=utf-8",
  "admin-pages.js": "text/javascript; charset=utf-8",
  "issuance-page.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};
/** The console's prefix on the dev issuer's port. */
export const CONSOLE_PREFIX = "/console";

/** Headers on every console page and every admin answer: no inline script, no framing, no sniffing, no caching. */
export const STRICT_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

const refused = (code: string, message: string): HttpResult =>
  jsonResponse(statusForCode(code), { error: { code, message } }, { ...STRICT_HEADERS });

/** Answer a request under `/console`: the login exchange, logout, and the static files. */
export async function serveConsole(req: IncomingMessage, url: URL, gate: ConsoleGate): Promise<HttpResult> {
  if (!gate.hostAllowed(req)) return refused("ERR_CONSOLE_FORBIDDEN", "console: this server does not answer to that Host");
  const path = url.pathname.slice(CONSOLE_PREFIX.length);
  if (req.method === "GET" && path === "/login") {
    const cookie = gate.redeemLoginCode(url.searchParams.get("code") ?? undefined);
    if (!cookie)
      return refused(
        "ERR_UNAUTHORIZED",
        "console: the login code is unknown, used or expired; tessera dev prints a new one on start (or run tessera console login)",
      );
    return { statusCode: 303, headers: { ...STRICT_HEADERS, location: `${CONSOLE_PREFIX}/`, "set-cookie": cookie }, body: "" };
  }
  if (req.method === "POST" && path === "/logout") {
    if (gate.authorize(req) !== "allowed")
      return refused("ERR_CONSOLE_FORBIDDEN", "console: logout needs the console's session, header and Origin");
    return { statusCode: 204, headers: { ...STRICT_HEADERS, "set-cookie": gate.logout(req) }, body: "" };
  }
  if (req.method !== "GET" && req.method !== "HEAD") return refused("ERR_NOT_FOUND", `console: no ${req.method} ${url.pathname}`);
  const name = path === "" || path === "/" ? "index.html" : path.slice(1);
  const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (type === undefined) return refused("ERR_NOT_FOUND", `console: no ${url.pathname}`);
  const body = await readFile(`${ASSET_DIR}${name}`, "utf8");
  return { statusCode: 200, headers: { ...STRICT_HEADERS, "content-type": type }, body };
}
