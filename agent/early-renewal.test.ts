import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { Bundle, createCaCertificate, signX509Svid, SpiffeId, TrustDomain } from "#tessera/core";
import { createTestSigningKey } from "#tessera/test-support";
import { RETIRING_SPREAD_MS, earlyRenewalOf } from "./early-renewal.js";

const td = TrustDomain.fromString("example.org");
const T0 = Date.UTC(2030, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function makeCa(notBefore: number, notAfter: number) {
  const key = createTestSigningKey("ECC_NIST_P256");
  const certificate = await createCaCertificate({ key, trustDomain: td, notBefore: new Date(notBefore), notAfter: new Date(notAfter) });
  return { key, certificate, sha256: createHash("sha256").update(certificate).digest("hex") };
}

async function leafOf(ca: Awaited<ReturnType<typeof makeCa>>, notBefore: number, lifetime: number): Promise<Uint8Array> {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signed = await signX509Svid({
    caKey: ca.key,
    caCertificate: ca.certificate,
    spiffeId: SpiffeId.fromString("spiffe://example.org/web"),
    publicKey,
    notBefore: new Date(notBefore),
    notAfter: new Date(notBefore + lifetime),
  });
  return signed.certificate;
}

const bundleOf = (...cas: Awaited<ReturnType<typeof makeCa>>[]) =>
  new Bundle({ trustDomain: td, x509Authorities: cas.map((c) => c.certificate) });

describe("earlyRenewalOf", () => {
  it("asks for nothing while the SVID's CA is the active one and has no successor", async () => {
    const ca = await makeCa(T0, T0 + 30 * DAY);
    const leaf = await leafOf(ca, T0 + HOUR, HOUR);
    assert.equal(earlyRenewalOf({ certificates: [leaf], bundle: bundleOf(ca), activeX509Sha256: ca.sha256, now: T0 + HOUR }), undefined);
  });

  it("renews now when the CA that signed the SVID is gone from the bundle (emergency rotation)", async () => {
    const [compromised, next] = [await makeCa(T0, T0 + 30 * DAY), await makeCa(T0, T0 + 30 * DAY)];
    const leaf = await leafOf(compromised, T0 + HOUR, HOUR);
    const now = T0 + HOUR + 60_000;
    assert.deepEqual(earlyRenewalOf({ certificates: [leaf], bundle: bundleOf(next), activeX509Sha256: next.sha256, now }), {
      reason: "authority_removed",
      at: now,
    });
  });

  it("does not take a CA with the same name but another key for the signer", async () => {
    const [signer, sameName] = [await makeCa(T0, T0 + 30 * DAY), await makeCa(T0, T0 + 30 * DAY)];
    const leaf = await leafOf(signer, T0 + HOUR, HOUR);
    assert.equal(earlyRenewalOf({ certificates: [leaf], bundle: bundleOf(sameName), now: T0 + HOUR })?.reason, "authority_removed");
  });

  it("renews within the spread, with jitter, when the SVID's CA is no longer the active one (retiring)", async () => {
    const [old, active] = [await makeCa(T0, T0 + 30 * DAY), await makeCa(T0 + 15 * DAY, T0 + 45 * DAY)];
    const leaf = await leafOf(old, T0 + 25 * DAY - HOUR, 24 * HOUR);
    const now = T0 + 25 * DAY;
    const input = { certificates: [leaf], bundle: bundleOf(old, active), activeX509Sha256: active.sha256, now };
    assert.deepEqual(earlyRenewalOf({ ...input, random: () => 0 }), { reason: "authority_retiring", at: now, signer: old.sha256 });
    assert.equal(earlyRenewalOf({ ...input, random: () => 0.999_999 })?.at, now + RETIRING_SPREAD_MS - 1);
    const hinted = new Bundle({ trustDomain: td, x509Authorities: [old.certificate, active.certificate], refreshHintSeconds: 60 });
    assert.equal(earlyRenewalOf({ ...input, bundle: hinted, random: () => 0.999_999 })?.at, now + 59_999, "spread over one refresh hint");
    assert.equal(
      earlyRenewalOf({ ...input, activeX509Sha256: old.sha256 })?.reason,
      "authority_ending",
      "a prepared successor alone is not retirement",
    );
  });

  it("renews once the CA has less life left than the SVID's lifetime, when a longer-lived CA is in the bundle", async () => {
    const [ending, successor] = [await makeCa(T0, T0 + 30 * DAY), await makeCa(T0 + 15 * DAY, T0 + 45 * DAY)];
    const leaf = await leafOf(ending, T0 + 20 * DAY, 24 * HOUR);
    const input = { certificates: [leaf], bundle: bundleOf(ending, successor), activeX509Sha256: ending.sha256, now: T0 + 20 * DAY };
    assert.deepEqual(earlyRenewalOf(input), { reason: "authority_ending", at: T0 + 29 * DAY, signer: ending.sha256 });
    assert.equal(earlyRenewalOf({ ...input, bundle: bundleOf(ending) }), undefined, "no successor: renewing cannot help");
  });
});
