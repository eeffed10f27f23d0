import { SpiffeIdInvalidError, TrustDomainInvalidError } from "../errors.js";

// SpiffeId and TrustDomain construct each other (a trust domain from a SPIFFE ID string, a trust
// domain's own ID), so they share one module.
const SCHEME_PREFIX = "spiffe://";
const MAX_SPIFFE_ID_BYTES = 2048;

function invalid(message: string): SpiffeIdInvalidError {
  return new SpiffeIdInvalidError(`spiffeid: ${message}`);
}

/** True for the bytes the SPIFFE-ID standard allows in a path segment: [a-zA-Z0-9._-]. */
export function isPathSegmentChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2e ||
    code === 0x2d ||
    code === 0x5f
  );
}

/** Throws unless `path` is empty or a valid SPIFFE ID path (`/seg/seg`). */
export function validatePath(path: string): void {
  if (path === "") return;
  if (path.charCodeAt(0) !== 0x2f) throw invalid("path must have a leading slash");
  let segmentStart = 1;
  for (let i = 1; i <= path.length; i++) {
    const code = i < path.length ? path.charCodeAt(i) : 0x2f;
    if (code === 0x2f) {
      const segment = path.slice(segmentStart, i);
      if (segment === "") throw invalid(i === path.length ? "path cannot have a trailing slash" : "path cannot contain empty segments");
      if (segment === "." || segment === "..") throw invalid("path cannot contain dot segments");
      segmentStart = i + 1;
    } else if (!isPathSegmentChar(code)) {
      throw invalid("path segment characters are limited to letters, numbers, dots, dashes, and underscores");
    }
  }
}

/** A SPIFFE ID: `spiffe://<trust domain><path>`. Immutable; construct with `fromString` or `fromPath`. */
export class SpiffeId {
  readonly trustDomain: TrustDomain;
  readonly path: string;

  private constructor(trustDomain: TrustDomain, path: string) {
    this.trustDomain = trustDomain;
    this.path = path;
  }

  /** Parse and validate a SPIFFE ID string against every rule of the SPIFFE-ID standard. */
  static fromString(value: string): SpiffeId {
    if (typeof value !== "string") throw new TypeError("spiffeid: value must be a string");
    if (value === "") throw invalid("cannot be empty");
    if (Buffer.byteLength(value, "utf8") > MAX_SPIFFE_ID_BYTES) {
      throw invalid(`is longer than ${MAX_SPIFFE_ID_BYTES} bytes`);
    }
    if (!value.startsWith(SCHEME_PREFIX)) throw invalid("scheme is missing or invalid");
    const rest = value.slice(SCHEME_PREFIX.length);
    const slash = rest.indexOf("/");
    const tdName = slash === -1 ? rest : rest.slice(0, slash);
    const path = slash === -1 ? "" : rest.slice(slash);
    if (tdName === "") throw invalid("trust domain is missing");
    for (let i = 0; i < tdName.length; i++) {
      if (!isTrustDomainChar(tdName.charCodeAt(i))) {
        throw invalid("trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores");
      }
    }
    if (tdName.length > 255) throw invalid("trust domain is longer than 255 bytes");
    validatePath(path);
    return new SpiffeId(TrustDomain.fromValidatedName(tdName), path);
  }

  /** Build a SPIFFE ID from a trust domain and a path (`""` or starting with `/`). */
  static fromPath(trustDomain: TrustDomain, path: string): SpiffeId {
    validatePath(path);
    const id = new SpiffeId(trustDomain, path);
    if (Buffer.byteLength(id.toString(), "utf8") > MAX_SPIFFE_ID_BYTES) {
      throw invalid(`is longer than ${MAX_SPIFFE_ID_BYTES} bytes`);
    }
    return id;
  }

  /** Build a SPIFFE ID from a trust domain and path segments (each validated, no slashes). */
  static fromSegments(trustDomain: TrustDomain, ...segments: string[]): SpiffeId {
    for (const segment of segments) {
      if (segment.includes("/")) throw invalid("path segment cannot contain a slash");
    }
    return SpiffeId.fromPath(trustDomain, segments.map((s) => `/${s}`).join(""));
  }

  /** True when `value` parses as a SPIFFE ID. */
  static isValid(value: string): boolean {
    try {
      SpiffeId.fromString(value);
      return true;
    } catch (err) {
      if (err instanceof SpiffeIdInvalidError || err instanceof TrustDomainInvalidError) return false;
      throw err;
    }
  }

  /** True when the ID belongs to `trustDomain`. */
  memberOf(trustDomain: TrustDomain): boolean {
    return this.trustDomain.equals(trustDomain);
  }

  /**
   * True when the ID's path is `prefix` or lies below it, segment-wise: `/a/b` has the prefix `/a`
   * while `/ab` does not have the prefix `/a`.
   */
  hasPathPrefix(prefix: string): boolean {
    if (prefix === "" || prefix === "/") return true;
    const p = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
    return this.path === p || this.path.startsWith(`${p}/`);
  }

  /** The path's segments, without slashes. */
  segments(): string[] {
    return this.path === "" ? [] : this.path.slice(1).split("/");
  }

  equals(other: SpiffeId): boolean {
    return this.trustDomain.equals(other.trustDomain) && this.path === other.path;
  }

  toString(): string {
    return `${SCHEME_PREFIX}${this.trustDomain.name}${this.path}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

const MAX_TRUST_DOMAIN_BYTES = 255;

/** True for the bytes the SPIFFE-ID standard allows in a trust domain name: [a-z0-9._-]. */
export function isTrustDomainChar(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d || code === 0x5f;
}

/** Throws unless `name` is a valid trust domain name (no scheme, no path). */
export function validateTrustDomainName(name: string): void {
  if (name.length === 0) throw new TrustDomainInvalidError("spiffeid: trust domain is missing");
  if (name.length > MAX_TRUST_DOMAIN_BYTES) {
    throw new TrustDomainInvalidError(`spiffeid: trust domain is longer than ${MAX_TRUST_DOMAIN_BYTES} bytes`);
  }
  for (let i = 0; i < name.length; i++) {
    if (!isTrustDomainChar(name.charCodeAt(i))) {
      throw new TrustDomainInvalidError(
        "spiffeid: trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores",
      );
    }
  }
}

// Callers of TrustDomain.fromString branch on one code, whichever form they passed.
function trustDomainOfSpiffeId(value: string): TrustDomain {
  try {
    return SpiffeId.fromString(value).trustDomain;
  } catch (err) {
    if (err instanceof SpiffeIdInvalidError) throw new TrustDomainInvalidError(err.message, { cause: err });
    throw err;
  }
}

/** A SPIFFE trust domain, e.g. `example.org`. Construct with `TrustDomain.fromString`. */
export class TrustDomain {
  readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /** Parse a trust domain name (`example.org`) or take the trust domain of a SPIFFE ID string. */
  static fromString(value: string): TrustDomain {
    if (typeof value !== "string") throw new TypeError("spiffeid: trust domain must be a string");
    if (value.includes(":/")) return trustDomainOfSpiffeId(value);
    validateTrustDomainName(value);
    return new TrustDomain(value);
  }

  /** For `SpiffeId`, which has validated the name already. */
  static fromValidatedName(name: string): TrustDomain {
    return new TrustDomain(name);
  }

  /** The trust domain's own SPIFFE ID, `spiffe://<name>`. */
  id(): SpiffeId {
    return SpiffeId.fromPath(this, "");
  }

  /** `spiffe://<name>`. */
  idString(): string {
    return `spiffe://${this.name}`;
  }

  equals(other: TrustDomain): boolean {
    return this.name === other.name;
  }

  toString(): string {
    return this.name;
  }

  toJSON(): string {
    return this.name;
  }
}
