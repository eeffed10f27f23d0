import { SpiffeIdInvalidError, SpiffeIdNotAllowedError } from "../errors.js";
import { SpiffeId, isPathSegmentChar, type TrustDomain } from "../spiffeid/index.js";

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;
const WILDCARD_SUFFIX = "/*";

/** What a template may be filled from: the bot, its instance, and the join attributes. */
export interface SpiffeIdTemplateContext {
  bot: string;
  instance: string;
  attributes: Record<string, string>;
}

function isSegmentValue(value: string): boolean {
  if (value === "" || value === "." || value === "..") return false;
  for (let i = 0; i < value.length; i++) if (!isPathSegmentChar(value.charCodeAt(i))) return false;
  return true;
}

function fill(pattern: string, context: SpiffeIdTemplateContext): string | undefined {
  let missing = false;
  const filled = pattern.replace(PLACEHOLDER, (_m, name: string) => {
    const value = name === "bot" ? context.bot : name === "instance" ? context.instance : context.attributes[name];
    if (value === undefined || !isSegmentValue(value)) missing = true;
    return value ?? "";
  });
  return missing ? undefined : filled;
}

/**
 * Check an allowed-SPIFFE-ID pattern when a bot is created: an exact ID, an ID ending in `/*`
 * (anything strictly below it), or either with `{{name}}` placeholders; always in `trustDomain`.
 */
export function validateAllowedSpiffeIdPattern(pattern: string, trustDomain: TrustDomain): void {
  const wildcard = pattern.endsWith(WILDCARD_SUFFIX);
  const base = wildcard ? pattern.slice(0, -WILDCARD_SUFFIX.length) : pattern;
  const probe = base.replace(PLACEHOLDER, "x");
  if (probe.includes("{{") || probe.includes("}}")) {
    throw new SpiffeIdInvalidError(`issuer: malformed placeholder in allowed SPIFFE ID ${JSON.stringify(pattern)}`);
  }
  const id = SpiffeId.fromString(probe);
  if (!id.memberOf(trustDomain)) {
    throw new SpiffeIdNotAllowedError(`issuer: allowed SPIFFE ID ${pattern} is outside the trust domain ${trustDomain.name}`);
  }
  if (id.path === "" && !wildcard) {
    throw new SpiffeIdNotAllowedError("issuer: the trust domain's own ID cannot be issued to a workload");
  }
}

/** True when `id` is allowed by one of `patterns` once their placeholders are filled from `context`. */
export function isSpiffeIdAllowed(id: SpiffeId, patterns: readonly string[], context: SpiffeIdTemplateContext): boolean {
  const wanted = id.toString();
  for (const pattern of patterns) {
    const filled = fill(pattern, context);
    if (filled === undefined) continue;
    if (filled.endsWith(WILDCARD_SUFFIX)) {
      const base = filled.slice(0, -WILDCARD_SUFFIX.length);
      if (wanted.startsWith(`${base}/`) && wanted.length > base.length + 1) return true;
    } else if (filled === wanted) {
      return true;
    }
  }
  return false;
}
