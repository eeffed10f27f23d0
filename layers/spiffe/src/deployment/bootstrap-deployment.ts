import {
  ensureTrustAnchor,
  getTrustAnchor,
  type TrustAnchorCalls,
  type TrustAnchorRef,
} from "../bundlepublisher/rolesanywhere/trust-anchors.js";
import { ensureAuthorities, type AuthorityDepsOver, type AuthorityPolicy } from "../ca/index.js";
import { publishCurrentBundle, type PublishDeps } from "../rotation/publish-current-bundle.js";
import type { StoreFor } from "../store/ports/store.js";
import type { BOOTSTRAP_DEPLOYMENT_STORE } from "./store-parts.js";

/** What bootstrapping a deployment needs: the authority parts, the bundle's publishers, the Roles Anywhere calls. */
export interface BootstrapDeploymentDeps extends PublishDeps {
  authority: AuthorityDepsOver<StoreFor<typeof BOOTSTRAP_DEPLOYMENT_STORE>>;
  authorityPolicy: AuthorityPolicy;
  trustAnchors: TrustAnchorCalls;
}

/** Inputs of `bootstrapDeployment`. */
export interface BootstrapDeploymentOptions {
  /** Name of Tessera's Roles Anywhere trust anchor; without it the deployment has none. */
  trustAnchorName?: string;
  /** What an earlier run returned as the anchor's id (an update); anything not shaped like an anchor id is ignored. */
  previousTrustAnchorId?: string;
}

/** The result of `bootstrapDeployment`: the trust anchor, when the deployment has one. */
export interface BootstrapDeploymentResult {
  trustAnchor?: TrustAnchorRef;
}

/** The shape of a Roles Anywhere trust anchor id (a UUID). */
export const TRUST_ANCHOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The anchor an earlier run made, as it is now; undefined when there was none or it is gone. */
async function keptAnchor(deps: BootstrapDeploymentDeps, previous: string | undefined): Promise<TrustAnchorRef | undefined> {
  if (!previous || !TRUST_ANCHOR_ID.test(previous)) return undefined;
  const ref = await getTrustAnchor(deps.trustAnchors, previous);
  if (ref) deps.logger.info("bootstrap: trust anchor kept", { trustAnchorId: ref.trustAnchorId });
  return ref;
}

/**
 * Bootstrap a deployment: make the first CA and JWT key unless the journals have them, publish the
 * bundle, then keep the trust anchor an earlier run made (writing nothing into it: certificates
 * change only through rotation, so a redeployment can never put an older CA back), or else adopt
 * Tessera's anchor for the trust domain or create one holding the bundle's CAs. A failed
 * publication is thrown after the anchor is settled, so a retry finds it. Keys are never deleted.
 */
export async function bootstrapDeployment(
  deps: BootstrapDeploymentDeps,
  options: BootstrapDeploymentOptions,
): Promise<BootstrapDeploymentResult> {
  await ensureAuthorities(deps.authority, deps.authorityPolicy);
  const { bundle, report } = await publishCurrentBundle(deps);
  const name = options.trustAnchorName;
  if (name === undefined) {
    if (report.failure) throw report.failure;
    return {};
  }
  let trustAnchor = await keptAnchor(deps, options.previousTrustAnchorId);
  if (!trustAnchor) {
    const ensured = await ensureTrustAnchor(deps.trustAnchors, { name, trustDomain: deps.authorityPolicy.trustDomain.name, bundle });
    deps.logger.info("bootstrap: trust anchor ensured", {
      trustAnchorId: ensured.trustAnchorId,
      created: ensured.created,
      updated: ensured.updated,
    });
    trustAnchor = { trustAnchorId: ensured.trustAnchorId, trustAnchorArn: ensured.trustAnchorArn };
  }
  if (report.failure) throw report.failure;
  return { trustAnchor };
}
