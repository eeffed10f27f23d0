import { BodyTooLargeError, RequestInvalidError, UnsupportedMediaTypeError } from "../errors.js";
import type { HttpEvent } from "./types.js";

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

function contentTypeOf(event: HttpEvent): string | undefined {
  const headers = event.headers ?? {};
  const name = Object.keys(headers).find((h) => h.toLowerCase() === "content-type");
  return name === undefined ? undefined : headers[name];
}

/**
 * The JSON body of `event` (an object), refusing bodies that are not `application/json`, bodies
 * over `maxBytes`, and anything that is not a JSON object. Requests without a body give `{}`.
 */
export function readJsonBody(event: HttpEvent, maxBytes: number): Record<string, unknown> {
  if (event.body === undefined || event.body === null || event.body === "") return {};
  if (!JSON_MEDIA_TYPE.test(contentTypeOf(event) ?? "")) {
    throw new UnsupportedMediaTypeError("http: request body must be application/json");
  }
  // A text body is parsed as it came: its UTF-8 size is counted without copying it into a Buffer and back.
  const decoded = event.isBase64Encoded ? Buffer.from(event.body, "base64") : undefined;
  const size = decoded ? decoded.length : Buffer.byteLength(event.body, "utf8");
  if (size > maxBytes) {
    throw new BodyTooLargeError(`http: request body is larger than ${maxBytes} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded ? decoded.toString("utf8") : event.body);
  } catch {
    throw new RequestInvalidError("http: request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RequestInvalidError("http: request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}
