import { requestRotation, runRotationTick } from "#tessera/issuer";
import type { TesseraRuntime } from "#tessera/aws";

/**
 * Publish a second CA at a running issuer with the real prepare step: ask for a manual rotation of
 * the X.509 CA and run one rotation tick, which makes the key in the free slot, its self-signed
 * certificate as `prepared`, and moves the bundle sequence on. Activation waits for publication.
 */
export async function addPreparedCa(runtime: TesseraRuntime): Promise<void> {
  await requestRotation({ journals: runtime.store, clock: runtime.clock }, "x509");
  await runRotationTick({ ...runtime, publishers: [] });
  const journal = await runtime.store.getJournal("x509");
  if (!journal?.slots.some((s) => s.status === "prepared")) throw new Error("add-prepared-ca: the tick prepared no CA");
}
