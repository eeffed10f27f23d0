import { SpiffeIdInvalidError, TrustDomainInvalidError } from "../errors.js";
import { SpiffeId } from "./spiffe-id.js";

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
