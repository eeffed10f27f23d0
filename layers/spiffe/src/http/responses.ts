import type { HttpResult } from "./types.js";

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

/** A JSON response. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** A plain-text response (PEM bundles). */
export function textResponse(statusCode: number, body: string, contentType: string, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { "content-type": contentType, ...headers }, body };
}
