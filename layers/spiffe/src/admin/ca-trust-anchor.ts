import type { Bundle } from "../bundle/index.js";
import {
  BundlePublishError,
  compareTrustAnchor,
  readTrustAnchor,
  type TrustAnchorCalls,
  type TrustAnchorReading,
  type TrustAnchorState,
} from "../bundlepublisher/index.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { StoreFor } from "../store/types.js";
import type { GET_TRUST_ANCHOR_STATE_STORE } from "./store-parts.js";
import { cacheTrustAnchorReads } from "./trust-anchor-reads.js";

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
  /** Times the cache of Roles Anywhere reads. */
  clock: Clock;
}

/**
 * The cached reader of each trust anchor source's calls. The calls are made once per process (one
 * warm Lambda container, one dev server), so the cache lives as long and goes with them.
 */
const readers = new WeakMap<TrustAnchorCalls, { trustAnchorId: string; read: () => Promise<TrustAnchorReading> }>();

function readerOf(source: TrustAnchorSource, clock: Clock): () => Promise<TrustAnchorReading> {
  const known = readers.get(source.calls);
  if (known?.trustAnchorId === source.trustAnchorId) return known.read;
  const read = cacheTrustAnchorReads(() => readTrustAnchor(source.calls, source.trustAnchorId), clock);
  readers.set(source.calls, { trustAnchorId: source.trustAnchorId, read });
  return read;
}

/** The Roles Anywhere trust anchor as the console's CA page shows it. */
export type TrustAnchorView =
  | { configured: false }
  | { configured: true; trustAnchorId: string; state: TrustAnchorState }
  /** Roles Anywhere could not be read (permissions, network): what failed, in one line. */
  | { configured: true; trustAnchorId: string; error: string };

/**
 * The trust anchor's state against the published bundle and the last signed CRLs, compared at each
 * call with what was read from Roles Anywhere (reused for `TRUST_ANCHOR_READ_TTL_MS`, see
 * `cacheTrustAnchorReads`); `configured: false` where there is none. A failed read is reported in the answer (and
 * logged), not thrown: the rest of the CA's state does not depend on it.
 */
export async function getTrustAnchorState(deps: TrustAnchorStateDeps): Promise<TrustAnchorView> {
  const source = deps.trustAnchor;
  if (source === undefined) return { configured: false };
  const { trustAnchorId } = source;
  try {
    const [bundle, crls, reading] = await Promise.all([source.bundle(), deps.store.revocations.listCrls(), readerOf(source, deps.clock)()]);
    const signed = crls.map((crl) => ({ caId: crl.caId, der: new Uint8Array(Buffer.from(crl.der, "base64")) }));
    return { configured: true, trustAnchorId, state: compareTrustAnchor(reading, { trustAnchorId, bundle, crls: signed }) };
  } catch (err) {
    if (!(err instanceof BundlePublishError)) throw err;
    deps.logger.error("admin: could not read the Roles Anywhere trust anchor", { code: err.code, error: err.message });
    return { configured: true, trustAnchorId, error: err.message };
  }
}
