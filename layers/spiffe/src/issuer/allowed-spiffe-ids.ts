import { SpiffeIdNotAllowedError, TesseraError } from "../errors.js";
import { SpiffeId, isPathSegmentChar, type TrustDomain } from "../spiffeid/index.js";
import { assertPlaceholdersKnown, parseTemplate, type TemplatePart } from "./policy-template.js";

const WILDCARD_SUFFIX = "/*";

/** What a template may be filled from: the bot, its instance (none for an SVID asked with a platform proof), and the join attributes. */
export interface SpiffeIdTemplateContext {
  bot: string;
  instance?: string;
  attributes: Record<string, string>;
}

function isSegmentValue(value: unknown): value is string {
  if (typeof value !== "string" || value === "" || value === "." || value === "..") return false;
  for (let i = 0; i < value.length; i++) if (!isPathSegmentChar(value.charCodeAt(i))) return false;
  return true;
}

function valueOf(name: string, context: SpiffeIdTemplateContext): unknown {
  if (name === "bot") return context.bot;
  if (name === "instance") return context.instance;
  // Own properties only: `{{constructor}}` or `{{__proto__}}` must find nothing, not Object's members.
  const attributes: unknown = context.attributes;
  return typeof attributes === "object" && attributes !== null && Object.hasOwn(attributes, name) ? context.attributes[name] : undefined;
}

function partsOf(pattern: unknown): TemplatePart[] | undefined {
  if (typeof pattern !== "string") return undefined;
  try {
    return parseTemplate(pattern);
  } catch (err) {
    if (err instanceof TesseraError) return undefined;
    throw err;
  }
}

function fill(parts: readonly TemplatePart[], context: SpiffeIdTemplateContext): string | undefined {
  let filled = "";
  for (const part of parts) {
    if ("literal" in part) {
      filled += part.literal;
      continue;
    }
    const value = valueOf(part.placeholder, context);
    if (!isSegmentValue(value)) return undefined;
    filled += value;
  }
  return filled;
}

/**
 * Check an allowed-SPIFFE-ID pattern when a bot is created: an exact ID, an ID ending in `/*`
 * (anything strictly below it), or either with `{{name}}` placeholders drawn from `placeholders`
 * (see `placeholdersFor`); always in `trustDomain`. Throws `PolicyInvalidError` for a malformed or
 * unknown placeholder, `SpiffeIdInvalidError` or `SpiffeIdNotAllowedError` for the ID itself.
 */
export function validateAllowedSpiffeIdPattern(pattern: string, trustDomain: TrustDomain, placeholders: ReadonlySet<string>): void {
  const parts = parseTemplate(pattern);
  assertPlaceholdersKnown(pattern, parts, placeholders);
  const probe = parts.map((part) => ("literal" in part ? part.literal : "x")).join("");
  const wildcard = probe.endsWith(WILDCARD_SUFFIX);
  const id = SpiffeId.fromString(wildcard ? probe.slice(0, -WILDCARD_SUFFIX.length) : probe);
  if (!id.memberOf(trustDomain)) {
    throw new SpiffeIdNotAllowedError(`issuer: allowed SPIFFE ID ${pattern} is outside the trust domain ${trustDomain.name}`);
  }
  if (id.path === "" && !wildcard) {
    throw new SpiffeIdNotAllowedError("issuer: the trust domain's own ID cannot be issued to a workload");
  }
}

/**
 * True when `id` is allowed by one of `patterns` once their placeholders are filled from `context`.
 * Never throws: a pattern that does not parse, or a placeholder with no value that is one valid
 * path segment, simply grants nothing.
 */
export function isSpiffeIdAllowed(id: SpiffeId, patterns: readonly string[], context: SpiffeIdTemplateContext): boolean {
  if (!Array.isArray(patterns)) return false;
  const wanted = id.toString();
  for (const pattern of patterns) {
    const parts = partsOf(pattern);
    const filled = parts && fill(parts, context);
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
