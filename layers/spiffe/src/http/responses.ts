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

/** A binary response (DER), base64 in the body as API Gateway's payload 2.0 wants it. */
export function binaryResponse(
  statusCode: number,
  body: Uint8Array,
  contentType: string,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode,
    headers: { "content-type": contentType, ...headers },
    body: Buffer.from(body).toString("base64"),
    isBase64Encoded: true,
  };
}

/**
 * Header of `GET /v1/bundle` naming the CA that signs X.509-SVIDs now (SHA-256 of its certificate,
 * hex). The bundle itself cannot say which of its CAs is active; agents renew early when theirs is not.
 */
export const ACTIVE_X509_AUTHORITY_HEADER = "tessera-active-x509-authority";
