import assert from "node:assert/strict";
import { X509Certificate, sign, webcrypto } from "node:crypto";
import { before, describe, it } from "node:test";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, Version } from "@peculiar/asn1-x509";
import { x509 } from "./test-support-x509.js";
import { NOW, at, createTestSigningKey, cryptoKeysOf, derOf } from "./test-support.js";
import { validateCaProfile, validateX509SvidProfile } from "./validate-profile.js";

const ID = "spiffe://example.org/web";
const SERVER_AUTH = x509.ExtendedKeyUsage.serverAuth;
const CLIENT_AUTH = x509.ExtendedKeyUsage.clientAuth;
const KU = x509.KeyUsageFlags;

type Extension = InstanceType<typeof x509.Extension>;
interface Template {
  subject?: string | [];
  serialNumber?: string;
  hash?: string;
  extensions?: Extension[];
}

const caKey = createTestSigningKey("ECC_NIST_P256");
let caKeys: webcrypto.CryptoKeyPair;
let subjectKeys: webcrypto.CryptoKeyPair;
before(async () => {
  caKeys = await cryptoKeysOf(caKey);
  subjectKeys = (await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
});

function uri(value: string): { type: "url"; value: string } {
  return { type: "url", value };
}

function leafExtensions(): Extension[] {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(KU.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([SERVER_AUTH, CLIENT_AUTH]),
    new x509.SubjectAlternativeNameExtension([uri(ID), { type: "dns", value: "web.example.org" }]),
  ];
}

function caExtensions(): Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(KU.keyCertSign | KU.cRLSign, true),
    new x509.SubjectAlternativeNameExtension([uri("spiffe://example.org")]),
  ];
}

/** A certificate made by @peculiar/x509's generator (not the code under test), signed by the test CA key. */
async function generate(template: Template, defaults: () => Extension[]): Promise<Uint8Array> {
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: template.serialNumber ?? "0102",
    subject: template.subject ?? "O=Tessera, CN=web",
    issuer: "O=Tessera, CN=CA",
    notBefore: NOW,
    notAfter: at(3600),
    publicKey: subjectKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: { name: "ECDSA", hash: template.hash ?? "SHA-256" },
    extensions: template.extensions ?? defaults(),
  });
  return derOf(cert);
}

/** Re-sign a certificate after changing its TBSCertificate by hand (for what the generator will not do). */
function resign(der: Uint8Array, change: (cert: Certificate) => void): Uint8Array {
  const cert = AsnConvert.parse(der, Certificate);
  change(cert);
  const tbs = new Uint8Array(AsnConvert.serialize(cert.tbsCertificate));
  cert.signatureValue = new Uint8Array(sign("sha256", tbs, caKey.privateKey)).buffer;
  return new Uint8Array(AsnConvert.serialize(cert));
}

describe("validateX509SvidProfile", () => {
  it("accepts a conforming leaf made by another implementation and returns its SPIFFE ID", async () => {
    const der = await generate({}, leafExtensions);
    assert.equal(new X509Certificate(der).verify(caKey.publicKey), true);
    assert.equal(validateX509SvidProfile(der).toString(), ID);
  });

  const accepted: [string, () => Template][] = [
    ["no EKU at all (the standard only says SHOULD)", () => ({ extensions: leafExtensions().filter((e) => e.type !== "2.5.29.37") })],
    ["no basic constraints (cA defaults to false)", () => ({ extensions: leafExtensions().filter((e) => e.type !== "2.5.29.19") })],
    [
      "keyEncipherment and keyAgreement besides digitalSignature",
      () => ({
        extensions: [
          ...leafExtensions().filter((e) => e.type !== "2.5.29.15"),
          new x509.KeyUsagesExtension(KU.digitalSignature | KU.keyEncipherment | KU.keyAgreement, true),
        ],
      }),
    ],
    [
      "a critical EKU and a critical SAN (X509-SVID 4.4: the EKU MAY be critical)",
      () => ({
        extensions: [
          ...leafExtensions().filter((e) => e.type !== "2.5.29.37" && e.type !== "2.5.29.17"),
          new x509.ExtendedKeyUsageExtension([SERVER_AUTH, CLIENT_AUTH], true),
          new x509.SubjectAlternativeNameExtension([uri(ID)], true),
        ],
      }),
    ],
    ["a CN of exactly 61 characters", () => ({ subject: `CN=${"c".repeat(61)}` })],
    ["a 20-octet serial number", () => ({ serialNumber: `7f${"ff".repeat(19)}` })],
    ["a SHA-384 signature", () => ({ hash: "SHA-384" })],
    ["a SHA-512 signature", () => ({ hash: "SHA-512" })],
  ];
  for (const [name, template] of accepted) {
    it(`accepts ${name}`, async () => {
      assert.equal(validateX509SvidProfile(await generate(template(), leafExtensions)).toString(), ID);
    });
  }

  const without = (type: string) => leafExtensions().filter((e) => e.type !== type);
  const refusals: [string, () => Template, RegExp][] = [
    [
      "two URI SANs",
      () => ({
        extensions: [...without("2.5.29.17"), new x509.SubjectAlternativeNameExtension([uri(ID), uri("spiffe://example.org/db")])],
      }),
      /more than one URI SAN/,
    ],
    [
      "a SPIFFE URI SAN and an https URI SAN",
      () => ({ extensions: [...without("2.5.29.17"), new x509.SubjectAlternativeNameExtension([uri(ID), uri("https://example.org")])] }),
      /more than one URI SAN/,
    ],
    [
      "no URI SAN",
      () => ({
        extensions: [...without("2.5.29.17"), new x509.SubjectAlternativeNameExtension([{ type: "dns", value: "web.example.org" }])],
      }),
      /no URI SAN/,
    ],
    ["no SAN extension", () => ({ extensions: without("2.5.29.17") }), /no URI SAN/],
    [
      "a URI SAN that is not a SPIFFE ID",
      () => ({ extensions: [...without("2.5.29.17"), new x509.SubjectAlternativeNameExtension([uri("https://example.org/web")])] }),
      /not a valid SPIFFE ID/,
    ],
    [
      "a SPIFFE ID with an upper-case trust domain",
      () => ({ extensions: [...without("2.5.29.17"), new x509.SubjectAlternativeNameExtension([uri("spiffe://Example.org/web")])] }),
      /not a valid SPIFFE ID/,
    ],
    [
      "a root SPIFFE ID",
      () => ({ extensions: [...without("2.5.29.17"), new x509.SubjectAlternativeNameExtension([uri("spiffe://example.org")])] }),
      /non-root path/,
    ],
    [
      "a CA leaf",
      () => ({ extensions: [...without("2.5.29.19"), new x509.BasicConstraintsExtension(true, undefined, true)] }),
      /must not be a CA/,
    ],
    [
      "keyCertSign on a leaf",
      () => ({ extensions: [...without("2.5.29.15"), new x509.KeyUsagesExtension(KU.digitalSignature | KU.keyCertSign, true)] }),
      /keyCertSign/,
    ],
    [
      "cRLSign on a leaf",
      () => ({ extensions: [...without("2.5.29.15"), new x509.KeyUsagesExtension(KU.digitalSignature | KU.cRLSign, true)] }),
      /cRLSign/,
    ],
    [
      "no digitalSignature",
      () => ({ extensions: [...without("2.5.29.15"), new x509.KeyUsagesExtension(KU.keyEncipherment, true)] }),
      /digitalSignature/,
    ],
    [
      "a non-critical key usage",
      () => ({ extensions: [...without("2.5.29.15"), new x509.KeyUsagesExtension(KU.digitalSignature, false)] }),
      /critical key usage/,
    ],
    ["no key usage", () => ({ extensions: without("2.5.29.15") }), /critical key usage/],
    [
      "EKU serverAuth only",
      () => ({ extensions: [...without("2.5.29.37"), new x509.ExtendedKeyUsageExtension([SERVER_AUTH])] }),
      /serverAuth and clientAuth/,
    ],
    [
      "EKU clientAuth only",
      () => ({ extensions: [...without("2.5.29.37"), new x509.ExtendedKeyUsageExtension([CLIENT_AUTH])] }),
      /serverAuth and clientAuth/,
    ],
    ["a SHA-1 signature", () => ({ hash: "SHA-1" }), /signature algorithm 1\.2\.840\.10045\.4\.1 is not allowed/],
    ["a CN of 62 characters", () => ({ subject: `O=Tessera, CN=${"c".repeat(62)}` }), /at most 61 characters/],
    ["an empty subject", () => ({ subject: [] }), /subject must not be empty/],
    ["a 21-octet serial number", () => ({ serialNumber: `01${"00".repeat(20)}` }), /at most 20 octets/],
    [
      "an unknown critical extension",
      () => ({ extensions: [...leafExtensions(), new x509.Extension("1.3.6.1.4.1.99999.1", true, new Uint8Array([5, 0]))] }),
      /unsupported critical extension 1\.3\.6\.1\.4\.1\.99999\.1/,
    ],
  ];
  for (const [name, template, message] of refusals) {
    it(`refuses ${name}`, async () => {
      const der = await generate(template(), leafExtensions);
      assert.throws(() => validateX509SvidProfile(der), { code: "ERR_X509SVID_INVALID", message });
    });
  }

  const handMade: [string, (cert: Certificate) => void, RegExp][] = [
    [
      "an X.509 v1 certificate",
      (c) => {
        c.tbsCertificate.version = Version.v1;
        c.tbsCertificate.extensions = undefined;
      },
      /must be X\.509 v3/,
    ],
    [
      "a negative serial number",
      (c) => {
        c.tbsCertificate.serialNumber = new Uint8Array([0x80, 0x01]).buffer;
      },
      /serial number must be positive/,
    ],
    [
      "a zero serial number",
      (c) => {
        c.tbsCertificate.serialNumber = new Uint8Array([0x00]).buffer;
      },
      /serial number must be positive/,
    ],
    [
      "signature algorithm fields that differ",
      (c) => {
        c.signatureAlgorithm = new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.3" });
      },
      /signature algorithm fields differ/,
    ],
  ];
  for (const [name, change, message] of handMade) {
    it(`refuses ${name}`, async () => {
      const der = resign(await generate({}, leafExtensions), change);
      assert.throws(() => validateX509SvidProfile(der), { code: "ERR_X509SVID_INVALID", message });
    });
  }

  it("refuses bytes that are not a certificate", () => {
    assert.throws(() => validateX509SvidProfile(new Uint8Array([0x30, 0x00])), { code: "ERR_X509SVID_INVALID" });
    assert.throws(() => validateX509SvidProfile(new Uint8Array([1, 2, 3])), { code: "ERR_X509SVID_INVALID" });
  });
});

describe("validateCaProfile", () => {
  let ca: Uint8Array;
  before(async () => {
    ca = await generate({ subject: "O=Tessera, CN=CA" }, caExtensions);
  });

  it("accepts a conforming CA made by another implementation", () => {
    assert.doesNotThrow(() => validateCaProfile(ca));
  });

  it("accepts a CA without a URI SAN, and one with digitalSignature too", async () => {
    const noSan = await generate({ extensions: caExtensions().filter((e) => e.type !== "2.5.29.17") }, caExtensions);
    assert.doesNotThrow(() => validateCaProfile(noSan));
    const withDs = [
      ...caExtensions().filter((e) => e.type !== "2.5.29.15"),
      new x509.KeyUsagesExtension(KU.keyCertSign | KU.digitalSignature, true),
    ];
    const ds = await generate({ extensions: withDs }, caExtensions);
    assert.doesNotThrow(() => validateCaProfile(ds));
  });

  const without = (type: string) => caExtensions().filter((e) => e.type !== type);
  const refusals: [string, () => Template, RegExp][] = [
    ["CA:false", () => ({ extensions: [...without("2.5.29.19"), new x509.BasicConstraintsExtension(false, undefined, true)] }), /CA flag/],
    ["no basic constraints", () => ({ extensions: without("2.5.29.19") }), /CA flag/],
    [
      "no keyCertSign",
      () => ({ extensions: [...without("2.5.29.15"), new x509.KeyUsagesExtension(KU.cRLSign | KU.digitalSignature, true)] }),
      /keyCertSign/,
    ],
    [
      "a SPIFFE ID with a path",
      () => ({ extensions: [...without("2.5.29.17"), new x509.SubjectAlternativeNameExtension([uri("spiffe://example.org/ca")])] }),
      /must not have a path/,
    ],
    [
      "two URI SANs",
      () => ({
        extensions: [
          ...without("2.5.29.17"),
          new x509.SubjectAlternativeNameExtension([uri("spiffe://example.org"), uri("spiffe://other.org")]),
        ],
      }),
      /more than one URI SAN/,
    ],
    ["a SHA-1 signature", () => ({ hash: "SHA-1" }), /not allowed/],
    ["an empty subject", () => ({ subject: [] }), /subject must not be empty/],
    ["a CN of 62 characters", () => ({ subject: `CN=${"c".repeat(62)}` }), /at most 61 characters/],
  ];
  for (const [name, template, message] of refusals) {
    it(`refuses ${name}`, async () => {
      const der = await generate(template(), caExtensions);
      assert.throws(() => validateCaProfile(der), { code: "ERR_X509SVID_INVALID", message });
    });
  }

  it("refuses a leaf, and the leaf profile refuses a CA", async () => {
    const leaf = await generate({}, leafExtensions);
    assert.throws(() => validateCaProfile(leaf), { code: "ERR_X509SVID_INVALID", message: /CA flag/ });
    assert.throws(() => validateX509SvidProfile(ca), { code: "ERR_X509SVID_INVALID", message: /non-root path/ });
  });
});
