import { createCaCertificate, encodeCertificatePem, type CaJournal, type TesseraRuntime } from "../../layers/spiffe/src/index.js";

/**
 * Publish a second CA at a running issuer the way a rotation's prepare step will: a new key in slot
 * b, its self-signed certificate in the journal as `prepared`, the bundle sequence moved on.
 */
export async function addPreparedCa(runtime: TesseraRuntime): Promise<void> {
  const journal = (await runtime.store.getJournal("x509")) as CaJournal;
  const key = await runtime.keys.generateKey("x509-ca-b", runtime.config.keySpec);
  const now = Date.now();
  const notAfter = now + 86_400_000;
  const certificate = await createCaCertificate({ key, trustDomain: runtime.config.trustDomain, notBefore: new Date(now - 60_000), notAfter: new Date(notAfter) });
  await runtime.store.putJournal(
    {
      ...journal,
      version: journal.version + 1,
      bundleSequence: journal.bundleSequence + 1,
      updatedAt: now,
      slots: [
        ...journal.slots,
        { slot: "b", status: "prepared", keyId: "x509-ca-b", keyGeneration: 1, certificatePem: encodeCertificatePem(certificate), notBefore: now, notAfter, preparedAt: now },
      ],
    },
    journal.version,
  );
  runtime.authorities.invalidate();
}
