import assert from "node:assert/strict";
import { X509Certificate, generateKeyPairSync } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { before, describe, it } from "node:test";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import type { KeySpec } from "../keymanager/types.js";
import { SpiffeId, TrustDomain } from "../spiffeid/spiffe-id.js";
import { x509 } from "./test-support-x509.js";
import { createCaCertificate } from "./create-ca-certificate.js";
import { signX509Svid } from "./sign-x509-svid.js";
import { encodeCertificatePem } from "./pem.js";
import { NOW, TestSigningKey, at, createTestSigningKey, runOpenssl } from "./test-support.js";
import type { SignX509SvidOptions } from "./types.js";

const TD = TrustDomain.fromString("example.org");
const ID = SpiffeId.fromString("spiffe://example.org/ns/prod/sa/web");
const ATTIME = String(NOW.getTime() / 1000);

interface Case {
  caSpec: KeySpec;
  leafKey: () => KeyObject;
  leafAlgorithm: string;
}

const CASES: Case[] = [
  { caSpec: "ECC_NIST_P256", leafKey: () => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey, leafAlgorithm: "id-ecPublicKey" },
  { caSpec: "ECC_NIST_P384", leafKey: () => generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey, leafAlgorithm: "rsaEncryption" },
  { caSpec: "RSA_2048", leafKey: () => generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey, leafAlgorithm: "id-ecPublicKey" },
];

async function makeCa(spec: KeySpec, notAfter = at(30 * 86_400)): Promise<{ key: TestSigningKey; certificate: Uint8Array }> {
  const key = createTestSigningKey(spec);
  return { key, certificate: await createCaCertificate({ key, trustDomain: TD, notBefore: at(-3600), notAfter }) };
}

function opensslVerify(ca: Uint8Array, leaf: Uint8Array, purpose: string): ReturnType<typeof runOpenssl> {
  return runOpenssl(["verify", "-x509_strict", "-purpose", purpose, "-attime", ATTIME, "-CAfile", "ca.pem", "leaf.pem"], {
    "ca.pem": encodeCertificatePem(ca),
    "leaf.pem": encodeCertificatePem(leaf),
  });
}

for (const c of CASES) {
  describe(`signX509Svid: ${c.caSpec} CA, ${c.leafAlgorithm} leaf`, () => {
    let ca: { key: TestSigningKey; certificate: Uint8Array };
    let leafKey: KeyObject;
    let issued: Awaited<ReturnType<typeof signX509Svid>>;
    before(async () => {
      ca = await makeCa(c.caSpec);
      leafKey = c.leafKey();
      issued = await signX509Svid({
        caKey: ca.key,
        caCertificate: ca.certificate,
        spiffeId: ID,
        publicKey: leafKey,
        notBefore: at(-30),
        notAfter: at(3600),
        dnsNames: ["web.example.org", "*.web.example.org"],
      });
    });

    it("costs exactly one signature by the CA key", () => {
      assert.equal(ca.key.signCalls, 2); // the CA's self-signature, then the SVID
    });

    for (const purpose of ["sslserver", "sslclient"]) {
      it(`is accepted by openssl verify -x509_strict -purpose ${purpose}`, () => {
        const r = opensslVerify(ca.certificate, issued.certificate, purpose);
        assert.equal(r.status, 0, r.output);
        assert.match(r.output, /leaf\.pem: OK/);
      });
    }

    it("verifies with node:crypto against the CA's public key, and not against another key", () => {
      const cert = new X509Certificate(issued.certificate);
      const caCert = new X509Certificate(ca.certificate);
      assert.equal(cert.verify(caCert.publicKey), true);
      assert.equal(cert.checkIssued(caCert), true);
      assert.equal(cert.verify(createTestSigningKey(c.caSpec).publicKey), false);
      assert.equal(cert.publicKey.equals(leafKey), true);
    });

    it("shows the URI SAN and the leaf extensions in openssl x509 -text", () => {
      const r = runOpenssl(["x509", "-noout", "-text", "-in", "leaf.pem"], { "leaf.pem": encodeCertificatePem(issued.certificate) });
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, /Version: 3 \(0x2\)/);
      assert.match(r.output, /URI:spiffe:\/\/example\.org\/ns\/prod\/sa\/web, DNS:web\.example\.org, DNS:\*\.web\.example\.org/);
      assert.match(r.output, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
      assert.match(r.output, /X509v3 Key Usage: critical\s+Digital Signature\n/);
      assert.match(r.output, /X509v3 Extended Key Usage: \s+TLS Web Server Authentication, TLS Web Client Authentication/);
      assert.match(r.output, /Subject: O ?= ?Tessera, CN ?= ?spiffe:\/\/example\.org\/ns\/prod\/sa\/web/);
      assert.match(r.output, new RegExp(`Public Key Algorithm: ${c.leafAlgorithm}`));
    });

    it("has exactly the leaf extensions, with AKI = the CA's SKI", async () => {
      const cert = new x509.X509Certificate(issued.certificate);
      const caCert = new x509.X509Certificate(ca.certificate);
      assert.deepEqual(
        [...cert.extensions].map((e) => [e.type, e.critical]),
        [
          ["2.5.29.19", true],
          ["2.5.29.15", true],
          ["2.5.29.37", false],
          ["2.5.29.14", false],
          ["2.5.29.35", false],
          ["2.5.29.17", false],
        ],
      );
      assert.equal(cert.getExtension(x509.BasicConstraintsExtension)!.ca, false);
      assert.equal(cert.getExtension(x509.KeyUsagesExtension)!.usages, x509.KeyUsageFlags.digitalSignature);
      assert.deepEqual([...cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages], ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
      assert.deepEqual(cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.toJSON(), [
        { type: "url", value: ID.toString() },
        { type: "dns", value: "web.example.org" },
        { type: "dns", value: "*.web.example.org" },
      ]);
      const expectedSki = await x509.SubjectKeyIdentifierExtension.create(cert.publicKey);
      assert.equal(cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId, expectedSki.keyId);
      const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
      assert.equal(cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId, caSki);
      assert.equal(cert.issuer, caCert.subject);
      const algorithmOf = (der: Uint8Array) => AsnConvert.parse(der, Certificate).signatureAlgorithm.algorithm;
      assert.equal(algorithmOf(issued.certificate), algorithmOf(ca.certificate));
    });

    it("returns the serial number as hex and the lifetime as asked", () => {
      const cert = new X509Certificate(issued.certificate);
      assert.equal(issued.serialNumber, cert.serialNumber.toLowerCase());
      assert.match(issued.serialNumber, /^[0-7][0-9a-f]{31}$/);
      assert.equal(new Date(cert.validFrom).getTime(), at(-30).getTime());
      assert.equal(new Date(cert.validTo).getTime(), at(3600).getTime());
      assert.equal(issued.notAfter.getTime(), at(3600).getTime());
    });
  });
}

describe("signX509Svid options", () => {
  let ca: { key: TestSigningKey; certificate: Uint8Array };
  let leafKey: KeyObject;
  before(async () => {
    ca = await makeCa("ECC_NIST_P256", at(7200));
    leafKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  });
  const base = (): SignX509SvidOptions => ({
    caKey: ca.key,
    caCertificate: ca.certificate,
    spiffeId: ID,
    publicKey: leafKey,
    notBefore: NOW,
    notAfter: at(3600),
  });

  it("clips notAfter to the CA's notAfter", async () => {
    const issued = await signX509Svid({ ...base(), notAfter: at(10 * 86_400) });
    assert.equal(new X509Certificate(issued.certificate).validTo, new X509Certificate(ca.certificate).validTo);
    assert.equal(issued.notAfter.getTime(), at(7200).getTime());
  });

  it("accepts the public key as DER SubjectPublicKeyInfo", async () => {
    const spki = new Uint8Array(leafKey.export({ format: "der", type: "spki" }));
    const issued = await signX509Svid({ ...base(), publicKey: spki });
    assert.equal(new X509Certificate(issued.certificate).publicKey.equals(leafKey), true);
  });

  it("writes the caller's serial number and common name", async () => {
    const issued = await signX509Svid({ ...base(), serialNumber: 0x80n, commonName: "web" });
    const cert = new X509Certificate(issued.certificate);
    assert.equal(issued.serialNumber, "80");
    assert.equal(cert.serialNumber, "80");
    assert.equal(cert.subject, "O=Tessera\nCN=web");
  });

  const commonNames: [string, string, string][] = [
    ["a SPIFFE ID of 61 characters", `spiffe://example.org/${"a".repeat(40)}`, `spiffe://example.org/${"a".repeat(40)}`],
    ["a longer SPIFFE ID", `spiffe://example.org/${"a".repeat(41)}`, "a".repeat(41)],
    ["a longer SPIFFE ID with a long last segment", `spiffe://example.org/x/${"b".repeat(70)}`, "b".repeat(61)],
  ];
  for (const [name, id, cn] of commonNames) {
    it(`derives the common name from ${name}`, async () => {
      const issued = await signX509Svid({ ...base(), spiffeId: SpiffeId.fromString(id) });
      assert.equal(new X509Certificate(issued.certificate).subject, `O=Tessera\nCN=${cn}`);
    });
  }

  const badDnsNames: [string, string[]][] = [
    ["an empty name", [""]],
    ["a trailing dot", ["web.example.org."]],
    ["an underscore", ["web_1.example.org"]],
    ["a leading hyphen", ["-web.example.org"]],
    ["a label of 64 characters", [`${"a".repeat(64)}.example.org`]],
    ["an IPv4 address", ["10.0.0.1"]],
    ["a wildcard not in the first label", ["web.*.example.org"]],
    ["a lone wildcard", ["*"]],
    ["a URL", ["https://web.example.org"]],
    ["a space", ["web example.org"]],
    ["a repeated name", ["web.example.org", "WEB.example.org"]],
    ["65 names", Array.from({ length: 65 }, (_, i) => `w${i}.example.org`)],
  ];
  for (const [name, dnsNames] of badDnsNames) {
    it(`refuses a DNS SAN with ${name}, before signing`, async () => {
      const key = ca.key;
      const calls = key.signCalls;
      await assert.rejects(signX509Svid({ ...base(), dnsNames }), { code: "ERR_X509SVID_INVALID", message: /^x509svid: .*DNS name/ });
      assert.equal(key.signCalls, calls);
    });
  }

  const refusals: [string, () => Partial<SignX509SvidOptions>, string | RegExp][] = [
    ["a root SPIFFE ID", () => ({ spiffeId: SpiffeId.fromString("spiffe://example.org") }), /non-root path/],
    [
      "a SPIFFE ID of another trust domain",
      () => ({ spiffeId: SpiffeId.fromString("spiffe://other.org/web") }),
      /outside the CA's trust domain/,
    ],
    ["a CA key that is not the certificate's", () => ({ caKey: createTestSigningKey("ECC_NIST_P256") }), /CA key does not match/],
    ["a CA that expires before notBefore", () => ({ notBefore: at(7200), notAfter: at(9000) }), /CA certificate expires/],
    ["a leaf certificate as the CA", () => ({ caCertificate: leafOfCa }), /CA flag/],
  ];
  let leafOfCa: Uint8Array;
  before(async () => {
    leafOfCa = (await signX509Svid(base())).certificate;
  });
  for (const [name, override, message] of refusals) {
    it(`refuses ${name} with ERR_X509SVID_INVALID`, async () => {
      await assert.rejects(signX509Svid({ ...base(), ...override() }), { code: "ERR_X509SVID_INVALID", message });
    });
  }

  const unsupportedKeys: [string, () => KeyObject][] = [
    ["RSA-1024", () => generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey],
    ["P-521", () => generateKeyPairSync("ec", { namedCurve: "P-521" }).publicKey],
    ["Ed25519", () => generateKeyPairSync("ed25519").publicKey],
    ["RSA with exponent 3", () => generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 3 }).publicKey],
  ];
  for (const [name, makeKey] of unsupportedKeys) {
    it(`refuses a ${name} workload key with ERR_KEY_UNSUPPORTED`, async () => {
      await assert.rejects(signX509Svid({ ...base(), publicKey: makeKey() }), { code: "ERR_KEY_UNSUPPORTED" });
    });
  }

  it("accepts RSA-3072 and RSA-4096 workload keys", async () => {
    for (const modulusLength of [3072, 4096]) {
      const publicKey = generateKeyPairSync("rsa", { modulusLength }).publicKey;
      const issued = await signX509Svid({ ...base(), publicKey });
      assert.equal(new X509Certificate(issued.certificate).publicKey.asymmetricKeyDetails?.modulusLength, modulusLength);
    }
  });

  it("throws TypeError for a private key, a bad common name or reversed dates", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await assert.rejects(signX509Svid({ ...base(), publicKey: privateKey }), TypeError);
    await assert.rejects(signX509Svid({ ...base(), commonName: "c".repeat(62) }), TypeError);
    await assert.rejects(signX509Svid({ ...base(), notBefore: at(60), notAfter: NOW }), TypeError);
    await assert.rejects(signX509Svid({ ...base(), spiffeId: ID.toString() as unknown as SpiffeId }), TypeError);
  });

  it("re-validates after signing: a key that signs with another private key gives ERR_X509SVID_INVALID", async () => {
    const other = createTestSigningKey("ECC_NIST_P256");
    const lying = new TestSigningKey("lying", "ECC_NIST_P256", ca.key.publicKey, other.privateKey);
    await assert.rejects(signX509Svid({ ...base(), caKey: lying }), {
      code: "ERR_X509SVID_INVALID",
      message: /^x509svid: issued SVID failed re-validation: .*signature does not verify/,
    });
    assert.equal(lying.signCalls, 1);
  });
});
