// The DER writer against the construction it replaced: the same fields built with
// @peculiar/asn1-x509's classes and serialized by @peculiar/asn1-schema must give the same bytes.
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import type { KeySpec } from "../keymanager/types.js";
import { buildCaTbsCertificate, buildSvidTbsCertificate, subjectKeyIdOf } from "./build-certificate.js";
import type { CaCertificateFields, SvidCertificateFields } from "./build-certificate.js";
import { signTbsCertificate } from "./sign-certificate.js";
import { encodeSignatureAlgorithm } from "./signature-algorithm.js";
import { encodeSubjectName } from "./subject-name.js";
import { createTestSigningKey } from "./test-support.js";

const SPECS: KeySpec[] = ["ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048", "RSA_3072"];
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

function hex(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString("hex");
}

function spkiOfNewKey(kind: "P-256" | "P-384" | "RSA-2048" | "RSA-4096"): Uint8Array {
  const { publicKey } = kind.startsWith("P-")
    ? generateKeyPairSync("ec", { namedCurve: kind })
    : generateKeyPairSync("rsa", { modulusLength: Number(kind.slice(4)) });
  return new Uint8Array(publicKey.export({ format: "der", type: "spki" }));
}

function referenceSubject(commonName: string): Name {
  const rdn = (type: string, value: string) =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]);
  return new Name([rdn("2.5.4.10", "Tessera"), rdn("2.5.4.3", commonName)]);
}

function referenceExtension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function referenceKeyId(spki: Uint8Array): Uint8Array {
  const info = AsnConvert.parse(spki, SubjectPublicKeyInfo);
  return new Uint8Array(createHash("sha1").update(new Uint8Array(info.subjectPublicKey)).digest());
}

function referenceTbs(fields: SvidCertificateFields | (CaCertificateFields & { issuer?: undefined }), extensions: Extension[]): Uint8Array {
  const subject = AsnConvert.parse(fields.subject, Name);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: fields.serialNumber.slice().buffer,
    signature: AsnConvert.parse(fields.signatureAlgorithm, AlgorithmIdentifier),
    issuer: fields.issuer ? AsnConvert.parse(fields.issuer, Name) : subject,
    validity: new Validity({ notBefore: fields.notBefore, notAfter: fields.notAfter }),
    subject,
    subjectPublicKeyInfo: AsnConvert.parse(fields.spki, SubjectPublicKeyInfo),
    extensions: new Extensions(extensions),
  });
  return new Uint8Array(AsnConvert.serialize(tbs));
}

function referenceSvidTbs(fields: SvidCertificateFields): Uint8Array {
  const names = [
    new GeneralName({ uniformResourceIdentifier: fields.spiffeId }),
    ...fields.dnsNames.map((dNSName) => new GeneralName({ dNSName })),
  ];
  return referenceTbs(fields, [
    referenceExtension("2.5.29.19", true, new BasicConstraints({ cA: false })),
    referenceExtension("2.5.29.15", true, new KeyUsage(KeyUsageFlags.digitalSignature)),
    referenceExtension("2.5.29.37", false, new ExtendedKeyUsage([SERVER_AUTH, CLIENT_AUTH])),
    referenceExtension("2.5.29.14", false, new SubjectKeyIdentifier(referenceKeyId(fields.spki))),
    referenceExtension("2.5.29.35", false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(fields.authorityKeyId) })),
    referenceExtension("2.5.29.17", false, new SubjectAlternativeName(names)),
  ]);
}

function referenceCaTbs(fields: CaCertificateFields): Uint8Array {
  const keyId = referenceKeyId(fields.spki);
  return referenceTbs(fields, [
    referenceExtension("2.5.29.19", true, new BasicConstraints({ cA: true })),
    referenceExtension("2.5.29.15", true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
    referenceExtension("2.5.29.14", false, new SubjectKeyIdentifier(keyId)),
    referenceExtension("2.5.29.35", false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) })),
    referenceExtension(
      "2.5.29.17",
      false,
      new SubjectAlternativeName([new GeneralName({ uniformResourceIdentifier: fields.trustDomainId })]),
    ),
  ]);
}

const CA_SUBJECT = encodeSubjectName("Tessera CA example.org");

function svidFields(overrides: Partial<SvidCertificateFields> = {}): SvidCertificateFields {
  return {
    serialNumber: Uint8Array.of(0x12, 0x34, 0x56),
    signatureAlgorithm: encodeSignatureAlgorithm("ECC_NIST_P256"),
    issuer: CA_SUBJECT,
    subject: encodeSubjectName("spiffe://example.org/web"),
    notBefore: new Date("2030-01-15T12:00:00Z"),
    notAfter: new Date("2030-01-15T13:00:00Z"),
    spki: P256_SPKI,
    spiffeId: "spiffe://example.org/web",
    dnsNames: ["web.example.org", "*.web.example.org"],
    authorityKeyId: new Uint8Array(20).fill(0xab),
    ...overrides,
  };
}

const P256_SPKI = spkiOfNewKey("P-256");

describe("encodeSignatureAlgorithm and encodeSubjectName", () => {
  for (const spec of SPECS) {
    it(`write ${spec}'s AlgorithmIdentifier as asn1-x509 did (ECDSA without parameters, RSA with NULL)`, () => {
      const { algorithm } = AsnConvert.parse(encodeSignatureAlgorithm(spec), AlgorithmIdentifier);
      const reference = spec.startsWith("ECC_")
        ? new AlgorithmIdentifier({ algorithm })
        : new AlgorithmIdentifier({ algorithm, parameters: null });
      assert.equal(hex(encodeSignatureAlgorithm(spec)), hex(AsnConvert.serialize(reference)));
    });
  }

  for (const commonName of ["web", "spiffe://example.org/ns/prod/sa/web", "é😀 ünïcödé", "c".repeat(61)]) {
    it(`write the subject O=Tessera, CN=${commonName} as asn1-x509 did`, () => {
      assert.equal(hex(encodeSubjectName(commonName)), hex(AsnConvert.serialize(referenceSubject(commonName))));
    });
  }
});

describe("subjectKeyIdOf", () => {
  it("is the SHA-1 of the subjectPublicKey bits, as asn1-x509 gave them", () => {
    for (const kind of ["P-256", "P-384", "RSA-2048"] as const) {
      const spki = spkiOfNewKey(kind);
      assert.equal(hex(subjectKeyIdOf(spki)), hex(referenceKeyId(spki)));
    }
  });

  it("refuses bytes that are not a SubjectPublicKeyInfo with ERR_X509SVID_INVALID", () => {
    assert.throws(() => subjectKeyIdOf(Uint8Array.of(0x30, 0x00)), { code: "ERR_X509SVID_INVALID" });
    assert.throws(() => subjectKeyIdOf(new Uint8Array([...P256_SPKI, 0])), { code: "ERR_X509SVID_INVALID" });
  });
});

describe("buildSvidTbsCertificate writes the bytes asn1-schema wrote", () => {
  const cases: [string, () => Partial<SvidCertificateFields>][] = [
    ["an EC P-256 key and two DNS names", () => ({})],
    [
      "an EC P-384 key, an ECDSA P-384 CA and no DNS name",
      () => ({ spki: spkiOfNewKey("P-384"), signatureAlgorithm: encodeSignatureAlgorithm("ECC_NIST_P384"), dnsNames: [] }),
    ],
    [
      "an RSA-2048 key under an RSA CA",
      () => ({ spki: spkiOfNewKey("RSA-2048"), signatureAlgorithm: encodeSignatureAlgorithm("RSA_2048") }),
    ],
    ["an RSA-4096 key (lengths of two octets)", () => ({ spki: spkiOfNewKey("RSA-4096") })],
    ["a serial number of 0x80 (a 0x00 sign octet)", () => ({ serialNumber: Uint8Array.of(0x00, 0x80) })],
    ["a serial number of 20 octets with a sign octet", () => ({ serialNumber: Uint8Array.of(0x00, ...new Uint8Array(19).fill(0xff)) })],
    ["a serial number of 1", () => ({ serialNumber: Uint8Array.of(1) })],
    [
      "a validity across 2049/2050 (UTCTime, then GeneralizedTime)",
      () => ({ notBefore: new Date("2049-12-31T23:59:59.999Z"), notAfter: new Date("2050-01-01T00:00:00Z") }),
    ],
    ["a validity from 1950 to 9999", () => ({ notBefore: new Date("1950-01-01T00:00:00Z"), notAfter: new Date("9999-12-31T23:59:59Z") })],
    [
      "milliseconds in both times",
      () => ({ notBefore: new Date("2030-01-15T12:00:00.456Z"), notAfter: new Date("2030-01-15T13:00:00.999Z") }),
    ],
    ["a non-ASCII common name", () => ({ subject: encodeSubjectName("é😀 web") })],
    ["64 DNS names", () => ({ dnsNames: Array.from({ length: 64 }, (_, i) => `w${i}.example.org`) })],
  ];
  for (const [name, overrides] of cases) {
    it(`for ${name}`, () => {
      const fields = svidFields(overrides());
      assert.equal(hex(buildSvidTbsCertificate(fields)), hex(referenceSvidTbs(fields)));
    });
  }

  it("for every SPIFFE ID length from 100 to 300 characters (SAN, extension and TBS lengths across 127/128 and 255/256)", () => {
    for (let length = 100; length <= 300; length++) {
      const spiffeId = `spiffe://example.org/${"a".repeat(length - 21)}`;
      const fields = svidFields({ spiffeId, dnsNames: [] });
      assert.equal(hex(buildSvidTbsCertificate(fields)), hex(referenceSvidTbs(fields)), `length ${length}`);
    }
  });
});

describe("buildCaTbsCertificate writes the bytes asn1-schema wrote", () => {
  for (const spec of SPECS) {
    it(`for a ${spec} CA`, () => {
      const key = createTestSigningKey(spec);
      const fields: CaCertificateFields = {
        serialNumber: Uint8Array.of(0x7f, 0x01),
        signatureAlgorithm: encodeSignatureAlgorithm(spec),
        subject: encodeSubjectName("Tessera CA example.org"),
        notBefore: new Date("2030-01-01T00:00:00Z"),
        notAfter: new Date("2060-01-01T00:00:00Z"),
        spki: new Uint8Array(key.publicKey.export({ format: "der", type: "spki" })),
        trustDomainId: "spiffe://example.org",
      };
      assert.equal(hex(buildCaTbsCertificate(fields)), hex(referenceCaTbs(fields)));
    });
  }
});

describe("signTbsCertificate", () => {
  for (const spec of SPECS) {
    it(`wraps a ${spec} signature in the Certificate asn1-schema wrote`, async () => {
      const key = createTestSigningKey(spec);
      const signatureAlgorithm = encodeSignatureAlgorithm(spec);
      const tbs = buildSvidTbsCertificate(svidFields({ signatureAlgorithm }));
      const der = await signTbsCertificate(tbs, signatureAlgorithm, key);
      const parsed = AsnConvert.parse(der, Certificate);
      const reference = new Certificate({
        tbsCertificate: AsnConvert.parse(tbs, TBSCertificate),
        signatureAlgorithm: AsnConvert.parse(signatureAlgorithm, AlgorithmIdentifier),
        signatureValue: parsed.signatureValue,
      });
      assert.equal(hex(der), hex(AsnConvert.serialize(reference)));
      assert.equal(key.signCalls, 1);
    });
  }
});
