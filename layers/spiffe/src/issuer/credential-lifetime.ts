import { RequestInvalidError } from "../errors.js";

/** A bot credential's lifetime: the requested one (positive whole seconds) capped by the issuer's. */
export function credentialLifetimeSeconds(requested: unknown, policyMaxSeconds: number): number {
  if (requested === undefined) return policyMaxSeconds;
  if (!Number.isSafeInteger(requested) || (requested as number) < 60) {
    throw new RequestInvalidError("issuer: ttl must be a whole number of seconds, at least 60");
  }
  return Math.min(requested as number, policyMaxSeconds);
}
