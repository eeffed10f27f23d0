import { posix } from "node:path";
import { SelectorInvalidError } from "./errors.js";

/** What a Unix selector looks at. */
export type UnixSelectorKind = "uid" | "gid" | "user" | "group" | "path" | "sha256";

/** A parsed workload selector such as `unix:uid:1000` (`type:kind:value`). */
export interface UnixSelector {
  type: "unix";
  kind: UnixSelectorKind;
  value: string;
}

const MAX_ID = 4_294_967_294; // (uid_t)-1 means "no id"
const ID = /^(0|[1-9]\d{0,9})$/;
// No colon, slash, whitespace or control character (they cannot appear in /etc/passwd names).
const NAME = /^[^:/\s\p{Cc}-][^:/\s\p{Cc}]{0,255}$/u;
const SHA256 = /^[0-9a-f]{64}$/;

function checkValue(kind: string, value: string): string | undefined {
  switch (kind) {
    case "uid":
    case "gid":
      return ID.test(value) && Number(value) <= MAX_ID ? undefined : `${kind} must be a decimal number from 0 to ${MAX_ID}`;
    case "user":
    case "group":
      return NAME.test(value) ? undefined : `${kind} must be a name without ':', '/' or spaces, not starting with '-'`;
    case "path":
      if (!value.startsWith("/")) return "path must be absolute";
      if (value.includes("\0")) return "path must not contain NUL";
      return posix.normalize(value) === value && (value === "/" || !value.endsWith("/"))
        ? undefined
        : `path must be normalised (did you mean ${posix.normalize(value).replace(/(.)\/$/, "$1")}?)`;
    case "sha256":
      return SHA256.test(value) ? undefined : "sha256 must be 64 lowercase hex digits";
    case "pid":
      return "pid selectors are not accepted: pids are reused";
    default:
      return `unknown kind "${kind}" (uid, gid, user, group, path, sha256)`;
  }
}

/**
 * Validate a workload selector from the configuration: `unix:uid:<n>`, `unix:gid:<n>`,
 * `unix:user:<name>`, `unix:group:<name>`, `unix:path:<absolute path>` or `unix:sha256:<64 hex>`.
 */
export function parseSelector(selector: string): UnixSelector {
  if (typeof selector !== "string") throw new TypeError("attestation: selector must be a string");
  const first = selector.indexOf(":");
  const second = selector.indexOf(":", first + 1);
  if (first < 0 || second < 0) {
    throw new SelectorInvalidError(`attestation: selector "${selector}" must look like unix:<kind>:<value>`);
  }
  const type = selector.slice(0, first);
  const kind = selector.slice(first + 1, second);
  const value = selector.slice(second + 1);
  if (type !== "unix") {
    throw new SelectorInvalidError(`attestation: selector "${selector}" has unknown type "${type}" (only unix)`);
  }
  const problem = checkValue(kind, value);
  if (problem !== undefined) throw new SelectorInvalidError(`attestation: selector "${selector}": ${problem}`);
  return { type, kind: kind as UnixSelectorKind, value };
}

/** True when every `required` selector is in `actual`; an empty requirement matches nothing. */
export function selectorsMatch(required: readonly string[], actual: ReadonlySet<string>): boolean {
  return required.length > 0 && required.every((s) => actual.has(s));
}

/** The kinds of the `unix:` selectors in `selectors` (assumed valid): what attestation must compute. */
export function selectorKindsOf(selectors: Iterable<string>): Set<UnixSelectorKind> {
  const kinds = new Set<UnixSelectorKind>();
  for (const selector of selectors) kinds.add(selector.split(":", 2)[1] as UnixSelectorKind);
  return kinds;
}
