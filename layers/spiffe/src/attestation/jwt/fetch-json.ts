import { JoinKeysUnavailableError, PolicyInvalidError } from "../../errors.js";
import type { KeyFetchPolicy } from "../types.js";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 5000;

/** A fetched JSON document and how long its server says it may be cached, seconds (undefined: not said). */
export interface FetchedJson {
  json: unknown;
  maxAgeSeconds: number | undefined;
}

/**
 * Throw `PolicyInvalidError` unless `url` is an `https://` URL without credentials, query or fragment,
 * or (only when `policy.allowHttpLoopback`) an `http://` URL on a loopback host.
 */
export function assertFetchableUrl(url: unknown, policy: KeyFetchPolicy, what: string): asserts url is string {
  let parsed: URL;
  try {
    parsed = new URL(url as string);
  } catch {
    throw new PolicyInvalidError(`attestation: ${what} must be an https URL`);
  }
  if (typeof url !== "string" || parsed.username !== "" || parsed.password !== "" || parsed.search !== "" || parsed.hash !== "") {
    throw new PolicyInvalidError(`attestation: ${what} must be an https URL without credentials, query or fragment`);
  }
  const loopbackHttp = parsed.protocol === "http:" && policy.allowHttpLoopback && LOOPBACK_HOSTS.has(parsed.hostname);
  if (parsed.protocol !== "https:" && !loopbackHttp) throw new PolicyInvalidError(`attestation: ${what} must be an https URL`);
}

function maxAgeOf(cacheControl: string | null): number | undefined {
  if (cacheControl === null) return undefined;
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/i.test(cacheControl)) return 0;
  const match = /(^|,)\s*max-age\s*=\s*"?(\d{1,10})"?\s*(,|$)/i.exec(cacheControl);
  return match ? Number(match[2]) : undefined;
}

/**
 * GET a JSON document from a URL that passed `assertFetchableUrl`: no redirects, a timeout and a
 * size bound. Any failure is `JoinKeysUnavailableError` (the caller may retry later).
 */
export async function fetchJson(url: string, policy: KeyFetchPolicy): Promise<FetchedJson> {
  assertFetchableUrl(url, policy, "key URL");
  let res: Response;
  try {
    res = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: "application/json" } });
  } catch (err) {
    throw new JoinKeysUnavailableError(`attestation: cannot fetch ${url}`, { cause: err });
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new JoinKeysUnavailableError(`attestation: ${url} answered ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_BYTES) {
    await res.body?.cancel();
    throw new JoinKeysUnavailableError(`attestation: ${url} is larger than ${MAX_BYTES} bytes`);
  }
  const body = Buffer.from(await res.arrayBuffer());
  if (body.length > MAX_BYTES) throw new JoinKeysUnavailableError(`attestation: ${url} is larger than ${MAX_BYTES} bytes`);
  try {
    return { json: JSON.parse(body.toString("utf8")), maxAgeSeconds: maxAgeOf(res.headers.get("cache-control")) };
  } catch (err) {
    throw new JoinKeysUnavailableError(`attestation: ${url} is not JSON`, { cause: err });
  }
}
