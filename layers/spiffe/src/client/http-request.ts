import type { IncomingHttpHeaders, IncomingMessage, RequestOptions } from "node:http";

/** An HTTP answer, its body read as text. */
export interface HttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

/** What `requestText` sends. */
export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** The request took longer than its `timeoutMs`. Named like fetch's, so callers tell it apart the same way. */
export class HttpTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

function headersOf(raw: IncomingHttpHeaders): HttpAnswer["headers"] {
  return {
    get: (name) => {
      const value = raw[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

/**
 * One HTTP(S) request with node's own client, the answer read as UTF-8 text; no redirect is
 * followed (a 3xx is an answer like any other). Rejects with `HttpTimeoutError` when the whole
 * exchange takes longer than `timeoutMs`, or with the socket's error (`ECONNREFUSED`, ...).
 * Not fetch: loading fetch (undici, and compiling its WebAssembly HTTP parser) costs a short-lived
 * process such as `tessera bot list` about 100 ms of CPU before its first request.
 */
export async function requestText(url: string, init: HttpRequestInit): Promise<HttpAnswer> {
  const target = new URL(url);
  const { request } = target.protocol === "https:" ? await import("node:https") : await import("node:http");
  const body = init.body === undefined ? undefined : Buffer.from(init.body, "utf8");
  const options: RequestOptions = {
    method: init.method,
    headers: { ...init.headers, ...(body ? { "content-length": String(body.length) } : {}) },
  };
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = request(target, options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: headersOf(res.headers), text: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", fail);
      res.on("close", () => {
        if (!res.complete) fail(new Error("the connection closed before the answer was complete"));
      });
    });
    const timer = setTimeout(() => req.destroy(new HttpTimeoutError(init.timeoutMs)), init.timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    req.on("error", fail);
    req.end(body);
  });
}
