import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { before, describe, it } from "node:test";
import { x509 } from "./test-support-x509.js";
import type { KeySpec } from "../keymanager/types.js";
import { TrustDomain } from "../spiffeid/spiffe-id.js";
import { createCaCertificate } from "./create-ca-certificate.js";
import { encodeCertificatePem } from "./pem.js";
import { NOW, TestSigningKey, at, createTestSigningKey, cryptoKeysOf, runOpenssl } from "./test-support.js";

const TD = TrustDomain.fromString("example.org");
const SPECS: KeySpec[] = ["ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048"];
const SIGNATURE_NAMES: Record<string, string> = {
  ECC_NIST_P256: "ecdsa-with-SHA256",
  ECC_NIST_P384: "ecdsa-with-SHA384",
  RSA_2048: "sha256WithRSAEncryption",
};

for (const spec of SPECS) {
  describe(`createCaCertificate with ${spec}`, () => {
    let key: TestSigningKey;
    let der: Uint8Array;
    before(async () => {
      key = createTestSigningKey(spec);
      der = await createCaCertificate({ key, trustDomain: TD, notBefore: at(-60), notAfter: at(86_400) });
    });

    it("is signed once and self-signature verifies with node:crypto", () => {
      assert.equal(key.signCalls, 1);
      const cert = new X509Certificate(der);
      assert.equal(cert.verify(key.publicKey), true);
      assert.equal(cert.checkIssued(cert), true);
      assert.equal(cert.ca, true);
      assert.equal(cert.subject, "O=Tessera\nCN=Tessera CA example.org");
      assert.equal(cert.issuer, cert.subject);
      assert.equal(cert.subjectAltName, "URI:spiffe://example.org");
      assert.equal(cert.validFrom, "Jan 15 11:59:00 2030 GMT");
      assert.equal(cert.validTo, "Jan 16 12:00:00 2030 GMT");
    });

    it("is accepted by openssl verify -x509_strict as its own trust anchor", () => {
      const pem = encodeCertificatePem(der);
      const r = runOpenssl(["verify", "-x509_strict", "-attime", String(NOW.getTime() / 1000), "-CAfile", "ca.pem", "ca.pem"], {
        "ca.pem": pem,
      });
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, /ca\.pem: OK/);
    });

    it("has exactly the CA extensions", async () => {
      const cert = new x509.X509Certificate(der);
      assert.deepEqual(
        [...cert.extensions].map((e) => [e.type, e.critical]),
        [
          ["2.5.29.19", true],
          ["2.5.29.15", true],
          ["2.5.29.14", false],
          ["2.5.29.35", false],
          ["2.5.29.17", false],
        ],
      );
      const bc = cert.getExtension(x509.BasicConstraintsExtension)!;
      assert.equal(bc.ca, true);
      assert.equal(bc.pathLength, undefined);
      assert.equal(cert.getExtension(x509.KeyUsagesExtension)!.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      const expectedSki = await x509.SubjectKeyIdentifierExtension.create((await cryptoKeysOf(key)).publicKey);
      assert.equal(cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId, expectedSki.keyId);
      assert.equal(cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId, expectedSki.keyId);
      const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
      assert.deepEqual(san.names.toJSON(), [{ type: "url", value: "spiffe://example.org" }]);
    });

    it("names the signature algorithm of the key spec, with NULL parameters only for RSA", () => {
      const r = runOpenssl(["asn1parse", "-inform", "DER", "-in", "ca.der"], { "ca.der": der });
      assert.equal(r.status, 0, r.output);
      const lines = r.output.split("\n");
      const algLines = lines.flatMap((l, i) => (l.includes(`:${SIGNATURE_NAMES[spec]!}`) ? [i] : []));
      assert.equal(algLines.length, 2, "the algorithm appears in the TBSCertificate and in the Certificate");
      for (const i of algLines) assert.equal(/NULL/.test(lines[i + 1]!), spec === "RSA_2048");
    });
  });
}

describe("createCaCertificate options", () => {
  const key = createTestSigningKey("ECC_NIST_P256");

  it("truncates the default common name to 61 characters", async () => {
    const longTd = TrustDomain.fromString(`${"a".repeat(60)}.example.org`);
    const cert = new X509Certificate(await createCaCertificate({ key, trustDomain: longTd, notBefore: NOW, notAfter: at(60) }));
    const cn = cert.subject
      .split("\n")
      .find((l) => l.startsWith("CN="))!
      .slice(3);
    assert.equal(cn.length, 61);
    assert.equal(cn, `Tessera CA ${"a".repeat(50)}`);
  });

  it("takes a common name and a serial number", async () => {
    const der = await createCaCertificate({
      key,
      trustDomain: TD,
      notBefore: NOW,
      notAfter: at(60),
      commonName: "Root",
      serialNumber: 0xabcdefn,
    });
    const cert = new X509Certificate(der);
    assert.equal(cert.subject, "O=Tessera\nCN=Root");
    assert.equal(cert.serialNumber, "ABCDEF");
  });

  const misuse: [string, Record<string, unknown>][] = [
    ["notAfter before notBefore", { notBefore: at(60), notAfter: NOW }],
    ["notAfter equal to notBefore", { notBefore: NOW, notAfter: NOW }],
    ["an invalid date", { notBefore: new Date(Number.NaN), notAfter: NOW }],
    ["a common name of 62 characters", { commonName: "c".repeat(62) }],
    ["an empty common name", { commonName: "" }],
    ["a zero serial number", { serialNumber: 0n }],
    ["a 21-octet serial number", { serialNumber: 1n << 160n }],
    ["a trust domain string", { trustDomain: "example.org" }],
  ];
  for (const [name, override] of misuse) {
    it(`throws TypeError for ${name}`, async () => {
      const options = { key, trustDomain: TD, notBefore: NOW, notAfter: at(60), ...override };
      await assert.rejects(createCaCertificate(options as Parameters<typeof createCaCertificate>[0]), TypeError);
    });
  }

  it("refuses, after signing, a certificate the key's signature does not verify", async () => {
    const other = createTestSigningKey("ECC_NIST_P256");
    const lying = new TestSigningKey("lying", "ECC_NIST_P256", key.publicKey, other.privateKey);
    await assert.rejects(createCaCertificate({ key: lying, trustDomain: TD, notBefore: NOW, notAfter: at(60) }), {
      code: "ERR_X509SVID_INVALID",
      message: /^x509svid: created CA certificate failed re-validation: .*signature does not verify/,
    });
    assert.equal(lying.signCalls, 1);
  });
});
