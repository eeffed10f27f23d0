import type { HttpRequest } from "@smithy/types";

/** An HTTP request to sign: what `fetch` will send. */
export interface SignableRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The request in the shape the smithy signers canonicalise, with `host` added as fetch will send it. */
export function toSmithyRequest(request: SignableRequest): HttpRequest {
  const url = new URL(request.url);
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => {
    query[key] = value;
  });
  return {
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers: { ...request.headers, host: url.host },
    ...(request.body !== undefined ? { body: request.body } : {}),
  };
}
