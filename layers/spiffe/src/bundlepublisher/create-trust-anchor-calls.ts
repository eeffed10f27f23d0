import { createRolesAnywhereClient } from "../aws/index.js";
import { PacedCaller, type PacingOptions, type RolesAnywhereApi, type TrustAnchorCalls } from "./rolesanywhere/index.js";

/** A Roles Anywhere client (the default one unless given) and a pacer for the trust-anchor functions. */
export function createTrustAnchorCalls(options: { client?: RolesAnywhereApi; pacing?: PacingOptions } = {}): TrustAnchorCalls {
  return { client: options.client ?? createRolesAnywhereClient(), caller: new PacedCaller(options.pacing) };
}
