import { exportJWK, type JWK } from "jose";
import { Bundle, thumbprintOf } from "../bundle/index.js";
import type { TrustDomain } from "../spiffeid/index.js";
import type { CaJournal } from "../store/types.js";
import { jwtPublicKeysOf, x509CertificatesOf } from "./load-authorities.js";

/** Inputs of `buildBundle`. */
export interface BuildBundleOptions {
  trustDomain: TrustDomain;
  x509Journal: CaJournal | undefined;
  jwtJournal: CaJournal | undefined;
  refreshHintSeconds: number;
}

/**
 * The trust bundle the journals describe: every CA certificate and JWT key that is prepared,
 * active or old. Its sequence is the sum of the journals' sequences, so it moves whenever either does.
 */
export async function buildBundle(options: BuildBundleOptions): Promise<Bundle> {
  const jwtAuthorities = new Map<string, JWK>();
  for (const publicKey of jwtPublicKeysOf(options.jwtJournal)) {
    jwtAuthorities.set(await thumbprintOf(publicKey), await exportJWK(publicKey));
  }
  return new Bundle({
    trustDomain: options.trustDomain,
    x509Authorities: x509CertificatesOf(options.x509Journal),
    jwtAuthorities,
    sequence: (options.x509Journal?.bundleSequence ?? 0) + (options.jwtJournal?.bundleSequence ?? 0),
    refreshHintSeconds: options.refreshHintSeconds,
  });
}
