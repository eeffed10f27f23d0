import type { KeyObject } from "node:crypto";
import { systemClock } from "../clock.js";
import { TesseraError, X509SvidInvalidError } from "../errors.js";
import { equalBytes } from "../internal/der/der-element.js";
import { parseCertificate } from "./certificate.js";
import type { ParsedCertificate } from "./certificate.js";
import { KeyUsageFlags } from "./certificate-extensions.js";
import { isCertificateSignedBy } from "./certificate-signature.js";
import { publicKeyFromSpki } from "./key-type.js";
import type { VerifyX509SvidOptions, VerifyX509SvidResult, X509AuthoritySource } from "./types.js";
import { checkX509SvidProfile, findUnsupportedCriticalExtension } from "./validate-profile.js";

/** Certificates from the leaf to the authority, both included: IAM Roles Anywhere's limit. */
export const MAX_CHAIN_LENGTH = 5;
/** Bound on the certificates a caller may present, so path building stays cheap. */
const MAX_PRESENTED = 16;

interface PathSearch {
  intermediates: ParsedCertificate[];
  authorities: ParsedCertificate[];
  now: Date;
  /** Why candidates were refused, first one first: the error names the most direct one. */
  refusals: string[];
  signatures: Map<ParsedCertificate, Map<ParsedCertificate, boolean>>;
  keys: Map<ParsedCertificate, KeyObject | null>;
}

function invalid(message: string, cause?: unknown): X509SvidInvalidError {
  return new X509SvidInvalidError(`x509svid: ${message}`, cause === undefined ? undefined : { cause });
}

function validityProblem(cert: ParsedCertificate, now: Date, role: string): string | undefined {
  if (now.getTime() < cert.notBefore.getTime()) return `${role} certificate is not valid before ${cert.notBefore.toISOString()}`;
  if (now.getTime() > cert.notAfter.getTime()) return `${role} certificate expired at ${cert.notAfter.toISOString()}`;
  return undefined;
}

function publicKeyOf(cert: ParsedCertificate, search: PathSearch): KeyObject | null {
  if (!search.keys.has(cert)) {
    let key: KeyObject | null = null;
    try {
      key = publicKeyFromSpki(cert.spkiDer);
    } catch {
      key = null;
    }
    search.keys.set(cert, key);
  }
  return search.keys.get(cert)!;
}

function isSignedBy(child: ParsedCertificate, parent: ParsedCertificate, search: PathSearch): boolean {
  let byParent = search.signatures.get(child);
  if (!byParent) search.signatures.set(child, (byParent = new Map()));
  if (!byParent.has(parent)) {
    const key = publicKeyOf(parent, search);
    byParent.set(parent, key !== null && isCertificateSignedBy(child, key));
  }
  return byParent.get(parent)!;
}

/** `path` runs from the leaf to the certificate the candidate would sign. */
function pathLengthProblem(candidate: ParsedCertificate, path: ParsedCertificate[], role: string): string | undefined {
  const below = path.length - 1;
  const limit = candidate.basicConstraints?.pathLenConstraint;
  return limit !== undefined && below > limit ? `${role} certificate allows ${limit} intermediates below it, found ${below}` : undefined;
}

function intermediateProblem(candidate: ParsedCertificate, path: ParsedCertificate[], now: Date): string | undefined {
  if (!candidate.basicConstraints?.cA) return "intermediate certificate is not a CA";
  if (candidate.keyUsage && !(candidate.keyUsage.flags & KeyUsageFlags.keyCertSign))
    return "intermediate certificate lacks key usage keyCertSign";
  const unsupported = findUnsupportedCriticalExtension(candidate);
  if (unsupported) return `intermediate certificate has an unsupported critical extension ${unsupported}`;
  return validityProblem(candidate, now, "intermediate") ?? pathLengthProblem(candidate, path, "intermediate");
}

function authorityProblem(candidate: ParsedCertificate, path: ParsedCertificate[], now: Date): string | undefined {
  return validityProblem(candidate, now, "authority") ?? pathLengthProblem(candidate, path, "authority");
}

/** Depth-first search from `path` (the leaf, then intermediates) to an authority. */
function extendPath(path: ParsedCertificate[], search: PathSearch): ParsedCertificate[] | undefined {
  const child = path.at(-1)!;
  for (const authority of search.authorities) {
    if (!equalBytes(child.issuerDer, authority.subjectDer)) continue;
    const problem = authorityProblem(authority, path, search.now);
    if (problem) search.refusals.push(problem);
    else if (!isSignedBy(child, authority, search)) search.refusals.push("signature does not verify with the authority's key");
    else return [...path, authority];
  }
  for (const candidate of search.intermediates) {
    if (path.includes(candidate) || !equalBytes(child.issuerDer, candidate.subjectDer)) continue;
    if (path.length + 2 > MAX_CHAIN_LENGTH) {
      search.refusals.push(`chain would be longer than ${MAX_CHAIN_LENGTH} certificates`);
      continue;
    }
    const problem = intermediateProblem(candidate, path, search.now);
    if (problem) search.refusals.push(problem);
    else if (!isSignedBy(child, candidate, search)) search.refusals.push("signature does not verify with the intermediate's key");
    else {
      const found = extendPath([...path, candidate], search);
      if (found) return found;
    }
  }
  return undefined;
}

function parseAuthorities(authorities: readonly Uint8Array[]): ParsedCertificate[] {
  try {
    return authorities.map((der) => parseCertificate(der));
  } catch (err) {
    if (err instanceof TesseraError) throw invalid(`malformed X.509 authority: ${err.message}`, err);
    throw err;
  }
}

/**
 * Verify an X.509-SVID chain (DER, leaf first, then any intermediates) as go-spiffe's
 * `x509svid.Verify`: the leaf profile, then a path from the leaf through the intermediates to an
 * authority of the leaf's trust domain, every certificate valid at `now`, signatures checked,
 * intermediates CA:true (with keyCertSign and path length respected), at most 5 certificates.
 * Throws `X509SvidInvalidError`.
 */
export function verifyX509Svid(
  chain: readonly Uint8Array[],
  source: X509AuthoritySource,
  options: VerifyX509SvidOptions = {},
): VerifyX509SvidResult {
  if (!Array.isArray(chain)) throw new TypeError("x509svid: chain must be an array of DER certificates");
  if (chain.length === 0) throw invalid("empty certificates chain");
  if (chain.length > MAX_PRESENTED) throw invalid(`chain has more than ${MAX_PRESENTED} certificates`);
  const now = options.now ?? systemClock.now();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError("x509svid: now must be a valid Date");
  const [leaf, ...intermediates] = chain.map((der) => parseCertificate(der));
  const spiffeId = checkX509SvidProfile(leaf!);
  const authorities = source.getX509Authorities(spiffeId.trustDomain);
  if (!authorities || authorities.length === 0) {
    throw invalid(`no X.509 authorities for trust domain "${spiffeId.trustDomain.name}"`);
  }
  const expiry = validityProblem(leaf!, now, "leaf");
  if (expiry) throw invalid(`could not verify leaf certificate: ${expiry}`);
  const search: PathSearch = {
    intermediates,
    authorities: parseAuthorities(authorities),
    now,
    refusals: [],
    signatures: new Map(),
    keys: new Map(),
  };
  const path = extendPath([leaf!], search);
  if (!path) {
    throw invalid(`could not verify leaf certificate: ${search.refusals[0] ?? "certificate signed by unknown authority"}`);
  }
  return { spiffeId, verifiedChain: path.map((c) => c.der) };
}
