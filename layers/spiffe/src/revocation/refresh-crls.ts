import { caIdOf, parseCrl, signCrl } from "../crl/index.js";
import { KeyNotFoundError, StoreConflictError, TesseraError } from "../errors.js";
import { parseCertificates } from "../x509svid/index.js";
import type { Revocation, StoredCrl } from "../store/types.js";
import type { REFRESH_CRLS_STORE } from "./store-parts.js";
import type { PublishedCrl, RevocationDepsFor } from "./types.js";

/** A CRL is valid for a day; the rotation tick signs a new one once half of that has passed. */
export const CRL_LIFETIME_SECONDS = 24 * 60 * 60;

/** What `refreshCrls` did. */
export interface RefreshCrlsResult {
  /** The current CRL of every CA that has one. */
  crls: StoredCrl[];
  /** The CA ids whose CRL this call signed. */
  signed: string[];
  /** Each publisher and whether it wrote, or why it failed. */
  published: ({ publisher: string; changed: boolean } | { publisher: string; error: Error })[];
}

interface CaToList {
  caId: string;
  certificate: Uint8Array;
  keyId: string;
}

async function signingCas(deps: RevocationDepsFor<typeof REFRESH_CRLS_STORE>): Promise<CaToList[]> {
  const journal = await deps.store.getJournal("x509");
  return (journal?.slots ?? []).flatMap((slot) => {
    const [certificate] = slot.status === "prepared" ? [] : parseCertificates(slot.certificatePem ?? "");
    return certificate ? [{ caId: caIdOf(certificate), certificate, keyId: slot.keyId }] : [];
  });
}

function sameSerials(crl: StoredCrl, entries: Revocation[]): boolean {
  const listed = parseCrl(Buffer.from(crl.der, "base64"))
    .revoked.map((r) => r.serialNumber)
    .sort();
  const wanted = entries.map((r) => r.id).sort();
  return listed.length === wanted.length && listed.every((serial, i) => serial === wanted[i]);
}

function isDue(previous: StoredCrl, entries: Revocation[], now: number): boolean {
  const halfLife = previous.thisUpdate + (previous.nextUpdate - previous.thisUpdate) / 2;
  return now >= halfLife || !sameSerials(previous, entries);
}

/** The CA's CRL: the stored one while it is fresh and lists exactly the live revocations, else a newly signed one. */
async function refreshCa(
  deps: RevocationDepsFor<typeof REFRESH_CRLS_STORE>,
  ca: CaToList,
  force: boolean,
): Promise<{ crl?: StoredCrl; signed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now();
    const [revocations, stored] = await Promise.all([
      deps.store.revocations.listRevocations(now.getTime()),
      deps.store.revocations.listCrls(),
    ]);
    const entries = revocations.filter((r) => r.kind === "x509" && (r.caId === ca.caId || r.caId === undefined));
    const previous = stored.find((crl) => crl.caId === ca.caId);
    if (!previous && entries.length === 0) return { signed: false };
    if (previous && !force && !isDue(previous, entries, now.getTime())) return { crl: previous, signed: false };
    const caKey = await deps.keys.getKey(ca.keyId);
    const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + CRL_LIFETIME_SECONDS * 1000);
    const crlNumber = (previous?.crlNumber ?? 0) + 1;
    const revoked = entries.map((r) => ({ serialNumber: r.id, revocationDate: new Date(r.revokedAt), reason: r.reason }));
    const der = await signCrl({ caKey, caCertificate: ca.certificate, crlNumber, thisUpdate, nextUpdate, revoked });
    const crl: StoredCrl = {
      caId: ca.caId,
      crlNumber,
      der: Buffer.from(der).toString("base64"),
      thisUpdate: thisUpdate.getTime(),
      nextUpdate: nextUpdate.getTime(),
    };
    try {
      await deps.store.revocations.putCrl(crl);
      return { crl, signed: true };
    } catch (err) {
      // Another writer stored a CRL meanwhile: read again, so the one kept lists every revocation.
      if (!(err instanceof StoreConflictError) || attempt >= 3) throw err;
    }
  }
}

/**
 * Bring every CA's CRL up to date and publish them: a CA that signed a live revoked serial (or had
 * a CRL before) gets a CRL signed with its own key, listing its live revoked serials (expired ones
 * dropped), renewed when the list changed, when half its life has passed, or when `force` is set.
 * A CA whose key is gone is skipped with a warning. Publishing failures are reported, not thrown.
 */
export async function refreshCrls(
  deps: RevocationDepsFor<typeof REFRESH_CRLS_STORE>,
  options: { force?: boolean } = {},
): Promise<RefreshCrlsResult> {
  const crls: StoredCrl[] = [];
  const toPublish: PublishedCrl[] = [];
  const signed: string[] = [];
  for (const ca of await signingCas(deps)) {
    try {
      const result = await refreshCa(deps, ca, options.force ?? false);
      if (result.crl) {
        crls.push(result.crl);
        toPublish.push({ caId: ca.caId, slotKeyId: ca.keyId, der: new Uint8Array(Buffer.from(result.crl.der, "base64")) });
      }
      if (result.signed) signed.push(ca.caId);
    } catch (err) {
      if (!(err instanceof KeyNotFoundError)) throw err;
      deps.logger.warn("revocation: the CA's key is gone; its CRL is no longer signed", { ca_id: ca.caId });
    }
  }
  const published = await publishCrls(deps, toPublish);
  if (signed.length > 0) deps.logger.info("revocation: CRLs signed", { ca_ids: signed });
  return { crls, signed, published };
}

async function publishCrls(
  deps: RevocationDepsFor<typeof REFRESH_CRLS_STORE>,
  crls: PublishedCrl[],
): Promise<RefreshCrlsResult["published"]> {
  const outcomes: RefreshCrlsResult["published"] = [];
  for (const publisher of deps.crlPublishers) {
    try {
      outcomes.push({ publisher: publisher.name, ...(await publisher.publishCrls(crls)) });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      deps.logger.error("revocation: publishing CRLs failed", {
        publisher: publisher.name,
        code: err instanceof TesseraError ? err.code : "ERR_INTERNAL",
        error,
      });
      outcomes.push({ publisher: publisher.name, error });
    }
  }
  return outcomes;
}
