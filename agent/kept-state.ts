import { type Bundle, type Logger, verifyX509Svid } from "#tessera/core";
import type { X509Material } from "./svid-material.js";
import type { SvidStorage } from "./svid-storage.js";

/** What an earlier run kept and may still be served: its bundle and, by slot key, each usable X.509-SVID. */
export interface KeptState {
  bundle: Bundle;
  x509: Map<string, X509Material>;
}

/**
 * Read what storage kept from an earlier run: the bundle, and for each wanted slot (`key` -> SPIFFE
 * ID) the X.509-SVID that is still valid at `now`, is for that ID, chains to that bundle and matches
 * its key. Anything else kept is left out and logged; undefined when no bundle is kept.
 */
export async function loadKeptState(
  storage: SvidStorage,
  slots: Iterable<{ key: string; spiffeId: string }>,
  now: number,
  logger: Pick<Logger, "info" | "warn">,
): Promise<KeptState | undefined> {
  let bundle: Bundle | undefined;
  try {
    bundle = await storage.loadBundle();
  } catch (err) {
    logger.warn("ignoring the kept trust bundle", { error: err });
  }
  if (!bundle) return undefined;
  const x509 = new Map<string, X509Material>();
  for (const { key, spiffeId } of slots) {
    try {
      const kept = await storage.loadX509Svid(key, spiffeId, bundle, now);
      if (!kept) continue;
      x509.set(key, kept);
      logger.info("serving the kept X.509-SVID until it is due for renewal", {
        spiffe_id: kept.spiffeId,
        serial: kept.serialNumber,
        expires_at: new Date(kept.expiresAt).toISOString(),
      });
    } catch (err) {
      logger.warn("not serving the kept X.509-SVID", { spiffe_id: spiffeId, error: err });
    }
  }
  return { bundle, x509 };
}

/** Whether the X.509-SVID still verifies against `bundle` at `now` (its CA is still in it, and it has not expired). */
export function chainsTo(material: X509Material, bundle: Bundle, now: Date): boolean {
  try {
    verifyX509Svid(material.certificates, bundle, { now });
    return true;
  } catch {
    return false;
  }
}
