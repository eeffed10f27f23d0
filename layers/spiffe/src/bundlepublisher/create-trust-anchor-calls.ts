// Not the aws barrel: its request signers import() the SDK's credential chain, which would wrap the
// SDK modules of every Lambda bundle in lazy initializers (test/infra/lambda-bundles.test.ts).
import { createRolesAnywhereClient, deferClient } from "../aws/clients.js";
import { PacedCaller, type PacingOptions, type RolesAnywhereApi, type TrustAnchorCalls } from "./rolesanywhere/index.js";

/**
 * A Roles Anywhere client (one at `endpoint`, AWS's own when unset, made by its first call, unless
 * `client` is given) and a pacer for the trust-anchor functions.
 */
export function createTrustAnchorCalls(
  options: { client?: RolesAnywhereApi; endpoint?: string | undefined; pacing?: PacingOptions } = {},
): TrustAnchorCalls {
  return {
    client: options.client ?? deferClient(() => createRolesAnywhereClient({ endpoint: options.endpoint })),
    caller: new PacedCaller(options.pacing),
  };
}
