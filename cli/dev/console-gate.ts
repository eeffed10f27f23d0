import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Clock } from "#tessera/core";

/** The cookie that carries a console session; HttpOnly, so page scripts never see it. */
export const CONSOLE_COOKIE = "tessera_console";
/** The header every console call carries; a cross-site form or image cannot set it. */
export const CONSOLE_HEADER = "x-tessera-console";
const LOGIN_CODE_TTL_MS = 10 * 60_000;
const SESSION_TTL_MS = 12 * 60 * 60_000;
const SAFE_METHODS = new Set(["GET", "HEAD"]);

/** What the gate says of a request to the admin API that carries no admin token. */
export type ConsoleVerdict = "no_session" | "forbidden" | "allowed";

const digest = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/**
 * Sessions of the web console in the embedded default. The admin token never reaches the browser:
 * `tessera dev` prints a URL with a one-time login code (10 minutes), exchanged at `/console/login`
 * for an HttpOnly, SameSite=Strict session cookie. Secrets are kept as SHA-256 hashes only.
 */
export class ConsoleGate {
  readonly #codes = new Map<string, number>();
  readonly #sessions = new Map<string, number>();
  readonly #clock: Clock;
  readonly #hosts: () => string[];

  /** `hosts`: the `host:port` values this server answers to (DNS rebinding gives another Host). */
  constructor(clock: Clock, hosts: () => string[]) {
    this.#clock = clock;
    this.#hosts = hosts;
  }

  /** A fresh one-time login code. */
  issueLoginCode(): string {
    const code = randomBytes(24).toString("base64url");
    this.#codes.set(digest(code), this.#now() + LOGIN_CODE_TTL_MS);
    return code;
  }

  /** Spend a login code: the `Set-Cookie` value of a new session, or undefined for an unknown, used or expired code. */
  redeemLoginCode(code: unknown): string | undefined {
    if (typeof code !== "string" || code.length > 128) return undefined;
    const key = digest(code);
    const expiresAt = this.#codes.get(key);
    this.#codes.delete(key);
    if (expiresAt === undefined || expiresAt <= this.#now()) return undefined;
    const session = randomBytes(32).toString("base64url");
    this.#sessions.set(digest(session), this.#now() + SESSION_TTL_MS);
    return `${CONSOLE_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`;
  }

  /** End the request's session; the `Set-Cookie` value that clears the cookie. */
  logout(req: IncomingMessage): string {
    const session = cookieOf(req, CONSOLE_COOKIE);
    if (session !== undefined) this.#sessions.delete(digest(session));
    return `${CONSOLE_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }

  /** True when the Host header names this server, not a name rebound to it. */
  hostAllowed(req: IncomingMessage): boolean {
    return this.#hosts().includes(req.headers.host ?? "");
  }

  /**
   * Decide an admin call without an admin token: a live session cookie is needed (else
   * `no_session`), and the console header, this server's Host, and for a state-changing method
   * an Origin of this server (any Origin sent must be this server's) (else `forbidden`).
   */
  authorize(req: IncomingMessage): ConsoleVerdict {
    const session = cookieOf(req, CONSOLE_COOKIE);
    const expiresAt = session === undefined ? undefined : this.#sessions.get(digest(session));
    if (expiresAt === undefined || expiresAt <= this.#now()) return "no_session";
    if (req.headers[CONSOLE_HEADER] !== "1" || !this.hostAllowed(req)) return "forbidden";
    const origin = req.headers.origin;
    if (origin === undefined) return SAFE_METHODS.has(req.method ?? "") ? "allowed" : "forbidden";
    return this.#hosts().some((host) => origin === `http://${host}`) ? "allowed" : "forbidden";
  }

  #now(): number {
    return this.#clock.now().getTime();
  }
}
