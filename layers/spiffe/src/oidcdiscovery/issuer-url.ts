import { ConfigError } from "../errors.js";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** True for the loopback host names an `http` issuer URL may use (a URL's `hostname`: IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

/** Where the discovery document lives under an issuer URL (OpenID Connect Discovery 1.0, section 4). */
export const OIDC_DISCOVERY_PATH = "/.well-known/openid-configuration";
/** Where Tessera serves and publishes the JWKS under an issuer URL. */
export const OIDC_JWKS_PATH = "/.well-known/jwks.json";

/**
 * Check an OIDC issuer URL as relying parties (AWS IAM, GCP) compare it with `iss`: `https` (or
 * `http` on a loopback host, for `tessera dev`), no query, fragment, user info or trailing slash.
 * Returns it unchanged: `iss` must be the exact string relying parties were given.
 */
export function parseIssuerUrl(value: string, name: string): string {
  if (!URL.canParse(value)) throw new ConfigError(`config: ${name} is not a URL`);
  const url = new URL(value);
  const loopbackHttp = url.protocol === "http:" && isLoopbackHost(url.hostname);
  if (url.protocol !== "https:" && !loopbackHttp)
    throw new ConfigError(`config: ${name} must be an https URL (http only on a loopback host)`);
  if (url.search !== "" || url.hash !== "" || value.includes("?") || value.includes("#")) {
    throw new ConfigError(`config: ${name} must have no query or fragment`);
  }
  if (url.username !== "" || url.password !== "") throw new ConfigError(`config: ${name} must have no user info`);
  if (value.endsWith("/"))
    throw new ConfigError(`config: ${name} must not end in /: relying parties compare it with iss character by character`);
  const canonical = url.pathname === "/" ? url.origin : url.href;
  if (canonical !== value) throw new ConfigError(`config: ${name} must be written in canonical form: ${canonical}`);
  return value;
}

/** The JWKS URL of an issuer. */
export function jwksUriOf(issuerUrl: string): string {
  return `${issuerUrl}${OIDC_JWKS_PATH}`;
}
