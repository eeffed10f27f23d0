// The re-validation reads the signed bytes back on its own: each leaf here is signed by the CA key
// (so only the broken rule can fail) and differs from a good one in one place.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { before, describe, it } from "node:test";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, KeyUsageFlags } from "@peculiar/asn1-x509";
import { SpiffeId, TrustDomain } from "../spiffeid/spiffe-id.js";
import { subjectKeyIdOf } from "./build-certificate.js";
import { parseCertificate } from "./certificate.js";
import type { ParsedCertificate } from "./certificate.js";
import {
  OID_AUTHORITY_KEY_IDENTIFIER,
  OID_BASIC_CONSTRAINTS,
  OID_CLIENT_AUTH,
  OID_EXT_KEY_USAGE,
  OID_KEY_USAGE,
  OID_SERVER_AUTH,
  OID_SUBJECT_ALT_NAME,
  OID_SUBJECT_KEY_IDENTIFIER,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeExtension,
  encodeKeyUsage,
  encodeSubjectAltName,
  encodeSubjectKeyIdentifier,
} from "./certificate-extensions.js";
import { createCaCertificate } from "./create-ca-certificate.js";
import { DerTag, contextTag } from "../internal/der/der-element.js";
import {
  encodeBoolean,
  encodeElement,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeSet,
  encodeTime,
  encodeUnsignedInteger,
} from "../internal/der/der-writer.js";
import { signX509Svid } from "./sign-x509-svid.js";
import { makeEventLoopBusy, makeEventLoopRelaxed } from "../internal/crypto/test-support.js";
import { revalidateX509Svid } from "./revalidate-x509-svid.js";
import type { SvidExpectations } from "./revalidate-x509-svid.js";
import { signTbsCertificate } from "./sign-certificate.js";
import { encodeSignatureAlgorithm } from "./signature-algorithm.js";
import { encodeSubjectName } from "./subject-name.js";
import { NOW, at, createTestSigningKey } from "./test-support.js";
import type { TestSigningKey } from "./test-support.js";

const TD = TrustDomain.fromString("example.org");
const ID = SpiffeId.fromString("spiffe://example.org/web");
const DNS = ["web.example.org"];
const SERIAL = Uint8Array.of(0x01, 0x02, 0x03);

/** The parts of a leaf TBSCertificate, each already encoded, in order. */
interface LeafParts {
  version: Uint8Array | undefined;
  serialNumber: Uint8Array;
  signatureAlgorithm: Uint8Array;
  issuer: Uint8Array;
  validity: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  extensions: Uint8Array[];
  /** Appended after the extensions (e.g. a subjectUniqueID). */
  extra?: Uint8Array;
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return encodeExtension(oid, critical, value);
}

function encodeTbs(parts: LeafParts): Uint8Array {
  return encodeSequence(
    ...(parts.version ? [parts.version] : []),
    parts.serialNumber,
    parts.signatureAlgorithm,
    parts.issuer,
    parts.validity,
    parts.subject,
    parts.spki,
    encodeElement(contextTag(3, true), encodeSequence(...parts.extensions)),
    ...(parts.extra ? [parts.extra] : []),
  );
}

describe("revalidateX509Svid", () => {
  let caKey: TestSigningKey;
  let ca: ParsedCertificate;
  let spki: Uint8Array;
  let authorityKeyId: Uint8Array;
  let expected: SvidExpectations;
  before(async () => {
    caKey = createTestSigningKey("ECC_NIST_P256");
    ca = parseCertificate(await createCaCertificate({ key: caKey, trustDomain: TD, notBefore: at(-3600), notAfter: at(7200) }));
    spki = new Uint8Array(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "der", type: "spki" }));
    authorityKeyId = ca.subjectKeyId!;
    expected = { ca, caKey, spiffeId: ID, dnsNames: DNS, spki, serialNumber: SERIAL, authorityKeyId };
  });

  function goodParts(): LeafParts {
    return {
      version: encodeElement(contextTag(0, true), encodeUnsignedInteger(2)),
      serialNumber: encodeUnsignedInteger(SERIAL),
      signatureAlgorithm: encodeSignatureAlgorithm("ECC_NIST_P256"),
      issuer: ca.subjectDer,
      validity: encodeSequence(encodeTime(NOW), encodeTime(at(3600))),
      subject: encodeSubjectName("web"),
      spki,
      extensions: [
        extension(OID_BASIC_CONSTRAINTS, true, encodeBasicConstraints(false)),
        extension(OID_KEY_USAGE, true, encodeKeyUsage(KeyUsageFlags.digitalSignature)),
        extension(OID_EXT_KEY_USAGE, false, encodeExtKeyUsage([OID_SERVER_AUTH, OID_CLIENT_AUTH])),
        extension(OID_SUBJECT_KEY_IDENTIFIER, false, encodeSubjectKeyIdentifier(subjectKeyIdOf(spki))),
        extension(OID_AUTHORITY_KEY_IDENTIFIER, false, encodeAuthorityKeyIdentifier(authorityKeyId)),
        extension(OID_SUBJECT_ALT_NAME, false, encodeSubjectAltName([ID.toString()], DNS)),
      ],
    };
  }

  async function signedLeaf(change: (parts: LeafParts) => void = () => undefined, key: TestSigningKey = caKey): Promise<Uint8Array> {
    const parts = goodParts();
    change(parts);
    return signTbsCertificate(encodeTbs(parts), parts.signatureAlgorithm, key);
  }

  it("accepts a good leaf and returns what it read", async () => {
    const leaf = await revalidateX509Svid(await signedLeaf(), expected);
    assert.equal(leaf.notAfter.getTime(), at(3600).getTime());
    assert.equal(leaf.extensions.length, 6);
  });

  it("reads an issued SVID as the asn1-schema parser does", async () => {
    const { certificate } = await signX509Svid({
      caKey,
      caCertificate: ca.der,
      spiffeId: ID,
      publicKey: spki,
      notBefore: NOW,
      notAfter: at(3600),
      dnsNames: ["web.example.org", "*.web.example.org"],
    });
    const mine = parseCertificate(certificate);
    const theirs = AsnConvert.parse(certificate, Certificate);
    const tbs = theirs.tbsCertificate;
    const hex = (bytes: ArrayBuffer | Uint8Array): string =>
      Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("hex");
    assert.equal(hex(mine.tbsDer), hex(theirs.tbsCertificateRaw!));
    assert.equal(mine.version, tbs.version);
    assert.equal(hex(mine.serialNumber), hex(tbs.serialNumber));
    assert.equal(hex(mine.signature), hex(theirs.signatureValue));
    assert.equal(hex(mine.issuerDer), hex(AsnConvert.serialize(tbs.issuer)));
    assert.equal(hex(mine.spkiDer), hex(AsnConvert.serialize(tbs.subjectPublicKeyInfo)));
    assert.equal(mine.notBefore.getTime(), tbs.validity.notBefore.getTime().getTime());
    assert.equal(mine.notAfter.getTime(), tbs.validity.notAfter.getTime().getTime());
    assert.deepEqual(
      mine.extensions.map((e) => [e.oid, e.critical, hex(e.value)]),
      [...(tbs.extensions ?? [])].map((e) => [e.extnID, e.critical, hex(e.extnValue.buffer)]),
    );
    assert.deepEqual(
      mine.subject.map((a) => [a.type, Buffer.from(a.value.content).toString()]),
      [
        ["2.5.4.10", "Tessera"],
        ["2.5.4.3", ID.toString()],
      ],
    );
  });

  const otherKey = createTestSigningKey("ECC_NIST_P256");
  const otherSpki = new Uint8Array(otherKey.publicKey.export({ format: "der", type: "spki" }));
  const refusals: [string, (parts: LeafParts) => void, RegExp][] = [
    [
      "another SPIFFE ID",
      (p) => (p.extensions[5] = extension(OID_SUBJECT_ALT_NAME, false, encodeSubjectAltName(["spiffe://example.org/db"], DNS))),
      /another SPIFFE ID/,
    ],
    [
      "two URI SANs",
      (p) => (p.extensions[5] = extension(OID_SUBJECT_ALT_NAME, false, encodeSubjectAltName([ID.toString(), ID.toString()], DNS))),
      /another SPIFFE ID/,
    ],
    ["no URI SAN", (p) => (p.extensions[5] = extension(OID_SUBJECT_ALT_NAME, false, encodeSubjectAltName([], DNS))), /another SPIFFE ID/],
    [
      "other DNS names",
      (p) => (p.extensions[5] = extension(OID_SUBJECT_ALT_NAME, false, encodeSubjectAltName([ID.toString()], ["db.example.org"]))),
      /other DNS names/,
    ],
    ["no SAN", (p) => p.extensions.splice(5, 1), /no subject alternative name extension/],
    ["another public key", (p) => (p.spki = otherSpki), /another public key/],
    ["another issuer", (p) => (p.issuer = encodeSubjectName("Other CA")), /issuer is not the CA's subject/],
    ["another serial number", (p) => (p.serialNumber = encodeUnsignedInteger(7)), /another serial number/],
    ["a notAfter beyond the CA's", (p) => (p.validity = encodeSequence(encodeTime(NOW), encodeTime(at(7201)))), /outlives its CA/],
    ["an empty validity", (p) => (p.validity = encodeSequence(encodeTime(NOW), encodeTime(NOW))), /validity period is empty/],
    [
      "another signature algorithm",
      (p) => (p.signatureAlgorithm = encodeSignatureAlgorithm("ECC_NIST_P384")),
      /signature algorithm is not the CA key's/,
    ],
    ["version 2", (p) => (p.version = encodeElement(contextTag(0, true), encodeUnsignedInteger(1))), /must be X\.509 v3/],
    ["no version (v1)", (p) => (p.version = undefined), /malformed certificate/],
    [
      "a subject unique ID",
      (p) => (p.extra = encodeElement(contextTag(2, false), Uint8Array.of(0, 1))),
      /malformed certificate.*trailing data/,
    ],
    ["an empty subject", (p) => (p.subject = encodeSequence()), /subject must not be empty/],
    ["a CN of 62 characters", (p) => (p.subject = encodeSubjectName("c".repeat(62))), /at most 61 characters/],
    [
      "a CN that is a PrintableString",
      (p) => (p.subject = encodeSequence(encodeSet(encodeSequence(encodeOid("2.5.4.3"), encodeElement(0x13, Uint8Array.of(0x41)))))),
      /malformed subject/,
    ],
    [
      "a GeneralizedTime before 2050",
      (p) =>
        (p.validity = encodeSequence(
          encodeTime(NOW),
          encodeElement(DerTag.GENERALIZED_TIME, new Uint8Array(Buffer.from("20300115130000Z"))),
        )),
      /malformed certificate/,
    ],
    [
      "non-critical basic constraints",
      (p) => (p.extensions[0] = extension(OID_BASIC_CONSTRAINTS, false, encodeBasicConstraints(false))),
      /critical CA:false/,
    ],
    ["CA:true", (p) => (p.extensions[0] = extension(OID_BASIC_CONSTRAINTS, true, encodeBasicConstraints(true))), /critical CA:false/],
    [
      "a path length on a leaf",
      (p) => (p.extensions[0] = extension(OID_BASIC_CONSTRAINTS, true, encodeSequence(encodeUnsignedInteger(0)))),
      /critical CA:false/,
    ],
    [
      "an explicit CA:false",
      (p) => (p.extensions[0] = extension(OID_BASIC_CONSTRAINTS, true, encodeSequence(encodeBoolean(false)))),
      /malformed extension/,
    ],
    ["no basic constraints", (p) => p.extensions.splice(0, 1), /no basic constraints extension/],
    [
      "non-critical key usage",
      (p) => (p.extensions[1] = extension(OID_KEY_USAGE, false, encodeKeyUsage(KeyUsageFlags.digitalSignature))),
      /digitalSignature only/,
    ],
    [
      "key usage keyEncipherment too",
      (p) =>
        (p.extensions[1] = extension(OID_KEY_USAGE, true, encodeKeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment))),
      /digitalSignature only/,
    ],
    [
      "key usage keyCertSign",
      (p) => (p.extensions[1] = extension(OID_KEY_USAGE, true, encodeKeyUsage(KeyUsageFlags.keyCertSign))),
      /digitalSignature only/,
    ],
    [
      "a key usage with a trailing zero bit",
      (p) => (p.extensions[1] = extension(OID_KEY_USAGE, true, Uint8Array.of(0x03, 0x02, 0x00, 0x80))),
      /malformed extension/,
    ],
    ["no key usage", (p) => p.extensions.splice(1, 1), /no key usage extension/],
    [
      "EKU serverAuth only",
      (p) => (p.extensions[2] = extension(OID_EXT_KEY_USAGE, false, encodeExtKeyUsage([OID_SERVER_AUTH]))),
      /serverAuth and clientAuth/,
    ],
    ["no EKU", (p) => p.extensions.splice(2, 1), /no extended key usage extension/],
    ["no SKI", (p) => p.extensions.splice(3, 1), /no subject key identifier extension/],
    [
      "another AKI",
      (p) => (p.extensions[4] = extension(OID_AUTHORITY_KEY_IDENTIFIER, false, encodeAuthorityKeyIdentifier(new Uint8Array(20)))),
      /authority key identifier is not the CA's/,
    ],
    ["a duplicate extension", (p) => p.extensions.push(p.extensions[2]!), /duplicate extension 2\.5\.29\.37/],
    [
      "an unknown critical extension",
      (p) => p.extensions.push(extension("1.2.3.4", true, encodeSequence())),
      /unexpected critical extension 1\.2\.3\.4/,
    ],
    [
      "a critical EKU",
      (p) => (p.extensions[2] = extension(OID_EXT_KEY_USAGE, true, encodeExtKeyUsage([OID_SERVER_AUTH, OID_CLIENT_AUTH]))),
      /unexpected critical extension 2\.5\.29\.37/,
    ],
    [
      "an explicit criticality FALSE",
      (p) =>
        (p.extensions[2] = encodeSequence(
          encodeOid(OID_EXT_KEY_USAGE),
          encodeBoolean(false),
          encodeOctetString(encodeExtKeyUsage([OID_SERVER_AUTH, OID_CLIENT_AUTH])),
        )),
      /malformed certificate.*DEFAULT/,
    ],
    ["no extensions", (p) => (p.extensions = []), /malformed certificate: extensions are empty/],
    [
      "a UTF-8 SPIFFE ID",
      (p) =>
        (p.extensions[5] = extension(
          OID_SUBJECT_ALT_NAME,
          false,
          encodeSequence(encodeElement(0x86, new Uint8Array(Buffer.from("spiffe://example.org/wéb")))),
        )),
      /not ASCII/,
    ],
  ];
  for (const [name, change, message] of refusals) {
    it(`refuses a leaf with ${name} with ERR_X509SVID_INVALID`, async () => {
      const der = await signedLeaf(change);
      await assert.rejects(revalidateX509Svid(der, expected), {
        code: "ERR_X509SVID_INVALID",
        message: new RegExp(`^x509svid: issued SVID failed re-validation: .*${message.source}`),
      });
    });
  }

  const placements: [string, () => void | Promise<void>][] = [
    ["in this thread, the event loop relaxed", makeEventLoopRelaxed],
    ["in the thread pool, the event loop busy", makeEventLoopBusy],
  ];
  for (const [where, prepare] of placements) {
    it(`refuses a leaf signed by another key, or with a flipped signature bit (checked ${where})`, async () => {
      const refused = { code: "ERR_X509SVID_INVALID", message: /signature does not verify with the CA key/ };
      const byOtherKey = await signedLeaf(undefined, otherKey);
      const flipped = new Uint8Array(await signedLeaf());
      flipped[flipped.length - 1]! ^= 0x01;
      const good = await signedLeaf();
      await prepare();
      await assert.rejects(revalidateX509Svid(byOtherKey, expected), refused);
      await prepare();
      await assert.rejects(revalidateX509Svid(flipped, expected), refused);
      await prepare();
      await revalidateX509Svid(good, expected);
    });
  }

  it("refuses a trailing byte after the certificate, or a truncated one", async () => {
    const der = await signedLeaf();
    for (const bytes of [new Uint8Array([...der, 0]), der.subarray(0, der.length - 1)]) {
      await assert.rejects(revalidateX509Svid(bytes, expected), { code: "ERR_X509SVID_INVALID", message: /malformed certificate/ });
    }
  });
});
