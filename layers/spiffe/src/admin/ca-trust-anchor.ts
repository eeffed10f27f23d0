import type { Bundle } from "../bundle/index.js";
import { BundlePublishError, readTrustAnchorState, type TrustAnchorCalls, type TrustAnchorState } from "../bundlepublisher/index.js";
import type { Logger } from "../logger.js";
import type { StoreFor } from "../store/types.js";
import type { GET_TRUST_ANCHOR_STATE_STORE } from "./store-parts.js";

/** The trust anchor an issuer keeps in step with its CAs, and how to read it. */
export interface TrustAnchorSource {
  calls: TrustAnchorCalls;
  trustAnchorId: string;
  /** The bundle the issuer publishes now. */
  bundle(): Promise<Bundle>;
}

/** What `getTrustAnchorState` needs. */
export interface TrustAnchorStateDeps {
  /** Unset where no trust anchor is configured (the embedded default). */
  trustAnchor?: TrustAnchorSource;
  store: StoreFor<typeof GET_TRUST_ANCHOR_STATE_STORE>;
  logger: Pick<Logger, "error">;
}

/** The Roles Anywhere trust anchor as the console's CA page shows it. */
export type TrustAnchorView =
  | { configured: false }
  | { configured: true; trustAnchorId: string; state: TrustAnchorState }
  /** Roles Anywhere could not be read (permissions, network): what failed, in one line. */
  | { configured: true; trustAnchorId: string; error: string };

/**
 * The trust anchor's state against the published bundle and the last signed CRLs, read from Roles
 * Anywhere; `configured: false` where there is none. A failed read is reported in the answer (and
 * logged), not thrown: the rest of the CA's state does not depend on it.
 */
export async function getTrustAnchorState(deps: TrustAnchorStateDeps): Promise<TrustAnchorView> {
  const source = deps.trustAnchor;
  if (source === undefined) return { configured: false };
  const { trustAnchorId } = source;
  try {
    const [bundle, crls] = await Promise.all([source.bundle(), deps.store.revocations.listCrls()]);
    const signed = crls.map((crl) => ({ caId: crl.caId, der: new Uint8Array(Buffer.from(crl.der, "base64")) }));
    return { configured: true, trustAnchorId, state: await readTrustAnchorState(source.calls, { trustAnchorId, bundle, crls: signed }) };
  } catch (err) {
    if (!(err instanceof BundlePublishError)) throw err;
    deps.logger.error("admin: could not read the Roles Anywhere trust anchor", { code: err.code, error: err.message });
    return { configured: true, trustAnchorId, error: err.message };
  }
}
