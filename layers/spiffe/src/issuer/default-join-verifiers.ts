import { createJoinVerifiers, type JoinVerifiers } from "../attestation/index.js";
import type { Clock } from "../clock.js";
import type { TrustDomain } from "../spiffeid/index.js";

/** The join audience when none is configured: the trust domain's own SPIFFE ID. */
export function defaultJoinAudience(trustDomain: TrustDomain): string {
  return `spiffe://${trustDomain.name}`;
}

const cached = new WeakMap<Clock, JoinVerifiers>();

/** Verifiers with production defaults (https only, Google's keys), for deps built without any. */
export function defaultJoinVerifiers(deps: {
  clock: Clock;
  policy?: { trustDomain: TrustDomain };
  trustDomain?: TrustDomain;
}): JoinVerifiers {
  let verifiers = cached.get(deps.clock);
  if (!verifiers) {
    const trustDomain = (deps.policy?.trustDomain ?? deps.trustDomain) as TrustDomain;
    verifiers = createJoinVerifiers({ clock: deps.clock, allowHttpLoopback: false, audience: defaultJoinAudience(trustDomain) });
    cached.set(deps.clock, verifiers);
  }
  return verifiers;
}
