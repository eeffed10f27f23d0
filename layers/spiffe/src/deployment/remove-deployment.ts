import { deleteTrustAnchor, type TrustAnchorCalls } from "../bundlepublisher/rolesanywhere/trust-anchors.js";
import type { Logger } from "../logger.js";
import { TRUST_ANCHOR_ID } from "./bootstrap-deployment.js";

/** What happens to the trust anchor when the deployment is removed. */
export type TrustAnchorRemovalPolicy = "retain" | "destroy";

/** What removing a deployment needs: the Roles Anywhere calls and a logger. */
export interface RemoveDeploymentDeps {
  trustAnchors: TrustAnchorCalls;
  logger: Pick<Logger, "info">;
}

/** Inputs of `removeDeployment`. */
export interface RemoveDeploymentOptions {
  /** What `bootstrapDeployment` returned as the anchor's id; anything not shaped like an anchor id is never deleted. */
  trustAnchorId: string;
  removalPolicy: TrustAnchorRemovalPolicy;
}

/**
 * Remove a deployment: delete its trust anchor only under the destroy policy; otherwise leave it,
 * so a later deployment of the same trust domain adopts it. Keys and the CA journal are never
 * deleted. Returns whether an anchor was deleted.
 */
export async function removeDeployment(deps: RemoveDeploymentDeps, options: RemoveDeploymentOptions): Promise<{ deleted: boolean }> {
  const id = options.trustAnchorId;
  if (options.removalPolicy === "destroy" && TRUST_ANCHOR_ID.test(id)) {
    const deleted = await deleteTrustAnchor(deps.trustAnchors, id);
    deps.logger.info("bootstrap: trust anchor deleted", { trustAnchorId: id, existed: deleted });
    return { deleted };
  }
  deps.logger.info("bootstrap: trust anchor retained", { trustAnchorId: id });
  return { deleted: false };
}
