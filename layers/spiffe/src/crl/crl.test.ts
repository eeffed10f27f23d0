import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { encodePem } from "../internal/der/pem.js";
import type { KeySpec } from "../keymanager/types.js";
import { SpiffeId, TrustDomain } from "../spiffeid/spiffe-id.js";
import { createCaCertificate } from "../x509svid/create-ca-certificate.js";
import { encodeCertificatePem } from "../x509svid/pem.js";
import { signX509Svid } from "../x509svid/sign-x509-svid.js";
import { NOW, at, createTestSigningKey, runOpenssl, type TestSigningKey } from "../x509svid/test-support.js";
import { caIdOf, parseCrl, signCrl, verifyCrl } from "./index.js";

const TD = TrustDomain.fromString("example.org");
const ID = SpiffeId.fromString("spiffe://example.org/web");
const ATTIME = String(NOW.getTime() / 1000);

async function makeCa(spec: KeySpec): Promise<{ key: TestSigningKey; certificate: Uint8Array }> {
  const key = createTestSigningKey(spec);
  return { key, certificate: await createCaCertificate({ key, trustDomain: TD, notBefore: at(-3600), notAfter: at(30 * 86_400) }) };
}

async function leafOf(ca: { key: TestSigningKey; certificate: Uint8Array }): Promise<{ der: Uint8Array; serial: string }> {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const svid = await signX509Svid({
    caKey: ca.key,
    caCertificate: ca.certificate,
    spiffeId: ID,
    publicKey,
    notBefore: at(-60),
    notAfter: at(3600),
  });
  return { der: svid.certificate, serial: svid.serialNumber };
}

const crlPem = (der: Uint8Array) => encodePem("X509 CRL", der);

describe("signCrl", () => {
  for (const spec of ["ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048"] as const) {
    it(`writes a v2 CRL signed by a ${spec} CA that openssl verifies and reads`, async () => {
      const ca = await makeCa(spec);
      const der = await signCrl({
        caKey: ca.key,
        caCertificate: ca.certificate,
        crlNumber: 42,
        thisUpdate: NOW,
        nextUpdate: at(86_400),
        revoked: [
          { serialNumber: "7f01", revocationDate: at(-10), reason: "keyCompromise" },
          { serialNumber: "0102", revocationDate: at(-5), reason: "unspecified" },
        ],
      });
      assert.equal(ca.key.signCalls, 2, "one signature for the CA certificate, one for the CRL");
      const out = runOpenssl(["crl", "-verify", "-noout", "-text", "-CAfile", "ca.pem", "-in", "crl.pem"], {
        "ca.pem": encodeCertificatePem(ca.certificate),
        "crl.pem": crlPem(der),
      });
      assert.equal(out.status, 0, out.output);
      assert.match(out.output, /verify OK/);
      assert.match(out.output, /Version 2 \(0x1\)/);
      assert.match(out.output, /X509v3 CRL Number:\s*\n\s*42/);
      assert.match(
        out.output,
        new RegExp(`Authority Key Identifier:\\s*\\n\\s*(keyid:)?${caIdOf(ca.certificate).toUpperCase().match(/../g)!.join(":")}`),
      );
      assert.match(out.output, /Serial Number: 0102\s*\n\s*Revocation Date/);
      assert.match(out.output, /Serial Number: 7F01[\s\S]*Key Compromise/);
      const parsed = parseCrl(der);
      assert.equal(parsed.crlNumber, 42n);
      assert.deepEqual(
        parsed.revoked.map((r) => [r.serialNumber, r.reason]),
        [
          ["0102", undefined],
          ["7f01", "keyCompromise"],
        ],
      );
    });
  }

  it("makes openssl verify -crl_check refuse a revoked SVID and accept another one", async () => {
    const ca = await makeCa("ECC_NIST_P256");
    const revoked = await leafOf(ca);
    const kept = await leafOf(ca);
    const der = await signCrl({
      caKey: ca.key,
      caCertificate: ca.certificate,
      crlNumber: 1,
      thisUpdate: at(-60),
      nextUpdate: at(86_400),
      revoked: [{ serialNumber: revoked.serial, revocationDate: at(-30), reason: "keyCompromise" }],
    });
    const files = { "ca.pem": encodeCertificatePem(ca.certificate), "crl.pem": crlPem(der) };
    const check = (leaf: Uint8Array) =>
      runOpenssl(["verify", "-crl_check", "-attime", ATTIME, "-CAfile", "ca.pem", "-CRLfile", "crl.pem", "leaf.pem"], {
        ...files,
        "leaf.pem": encodeCertificatePem(leaf),
      });
    const refused = check(revoked.der);
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /certificate revoked/);
    const accepted = check(kept.der);
    assert.equal(accepted.status, 0, accepted.output);
  });

  it("writes an empty CRL without a revokedCertificates field", async () => {
    const ca = await makeCa("ECC_NIST_P256");
    const der = await signCrl({
      caKey: ca.key,
      caCertificate: ca.certificate,
      crlNumber: 3,
      thisUpdate: NOW,
      nextUpdate: at(60),
      revoked: [],
    });
    const out = runOpenssl(["crl", "-verify", "-noout", "-text", "-CAfile", "ca.pem", "-in", "crl.pem"], {
      "ca.pem": encodeCertificatePem(ca.certificate),
      "crl.pem": crlPem(der),
    });
    assert.equal(out.status, 0, out.output);
    assert.match(out.output, /No Revoked Certificates/);
  });
});

describe("verifyCrl", () => {
  it("accepts a CRL from a bundle authority and names that CA", async () => {
    const [ca, other] = [await makeCa("ECC_NIST_P256"), await makeCa("RSA_2048")];
    const der = await signCrl({
      caKey: ca.key,
      caCertificate: ca.certificate,
      crlNumber: 5,
      thisUpdate: NOW,
      nextUpdate: at(600),
      revoked: [{ serialNumber: "0a", revocationDate: NOW }],
    });
    const { crl, issuer } = verifyCrl(der, { authorities: [other.certificate, ca.certificate], now: NOW });
    assert.deepEqual(Buffer.from(issuer.der), Buffer.from(ca.certificate));
    assert.deepEqual(
      crl.revoked.map((r) => r.serialNumber),
      ["0a"],
    );
  });

  it("refuses a forged CRL: the CA's name and key id, another key's signature", async () => {
    const ca = await makeCa("ECC_NIST_P256");
    const forger = createTestSigningKey("ECC_NIST_P256");
    // The forger signs with its own key but copies the CA certificate, so issuer and AKI name the real CA.
    const der = await signCrl({
      caKey: forger,
      caCertificate: ca.certificate,
      crlNumber: 9,
      thisUpdate: NOW,
      nextUpdate: at(600),
      revoked: [],
    });
    assert.throws(() => verifyCrl(der, { authorities: [ca.certificate], now: NOW }), { code: "ERR_CRL_INVALID", message: /signature/ });
    const openssl = runOpenssl(["crl", "-verify", "-noout", "-CAfile", "ca.pem", "-in", "crl.pem"], {
      "ca.pem": encodeCertificatePem(ca.certificate),
      "crl.pem": crlPem(der),
    });
    assert.doesNotMatch(openssl.output, /verify OK/);
  });

  it("refuses a CRL of a CA outside the bundle, a stale one and a tampered one", async () => {
    const [ca, stranger] = [await makeCa("ECC_NIST_P256"), await makeCa("ECC_NIST_P256")];
    const der = await signCrl({
      caKey: ca.key,
      caCertificate: ca.certificate,
      crlNumber: 2,
      thisUpdate: NOW,
      nextUpdate: at(600),
      revoked: [{ serialNumber: "0b", revocationDate: NOW }],
    });
    assert.throws(() => verifyCrl(der, { authorities: [stranger.certificate], now: NOW }), { code: "ERR_CRL_INVALID" });
    assert.throws(() => verifyCrl(der, { authorities: [ca.certificate], now: at(600) }), {
      code: "ERR_CRL_INVALID",
      message: /nextUpdate/,
    });
    const tampered = new Uint8Array(der);
    const at0b = Buffer.from(tampered).indexOf(Buffer.from([0x02, 0x01, 0x0b]));
    tampered[at0b + 2] = 0x0c;
    assert.throws(() => verifyCrl(tampered, { authorities: [ca.certificate], now: NOW }), { code: "ERR_CRL_INVALID" });
    assert.throws(() => parseCrl(der.subarray(0, der.length - 1)), { code: "ERR_CRL_INVALID" });
  });
});
