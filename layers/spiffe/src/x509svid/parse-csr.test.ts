import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { describe, it } from "node:test";
import { KeyUsageFlags } from "@peculiar/asn1-x509";
import { SpiffeId } from "../spiffeid/spiffe-id.js";
import {
  OID_BASIC_CONSTRAINTS,
  OID_KEY_USAGE,
  OID_SUBJECT_ALT_NAME,
  encodeBasicConstraints,
  encodeExtension,
  encodeKeyUsage,
  encodeSubjectAltName,
} from "./certificate-extensions.js";
import { createCsr } from "./create-csr.js";
import { contextTag } from "../internal/der/der-element.js";
import {
  encodeBitString,
  encodeBoolean,
  encodeElement,
  encodeNull,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeSet,
  encodeUnsignedInteger,
} from "../internal/der/der-writer.js";
import { MAX_CSR_BYTES, parseCsr } from "./parse-csr.js";
import { encodeSubjectName } from "./subject-name.js";
import { opensslCsr, runOpenssl } from "./test-support.js";
import type { CsrKeyType } from "./types.js";

const EC_P256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];

function pemOf(der: Uint8Array, label = "CERTIFICATE REQUEST"): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n")}\n-----END ${label}-----\n`;
}

/** The CSR's public key as PEM, read by openssl rather than by the code under test. */
function opensslPublicKeyOf(der: Uint8Array): string {
  const r = runOpenssl(["req", "-inform", "DER", "-in", "csr.der", "-noout", "-pubkey"], { "csr.der": der });
  assert.equal(r.status, 0, r.output);
  return r.output;
}

describe("parseCsr accepts", () => {
  const accepted: [CsrKeyType, string[]][] = [
    ["EC-P256", EC_P256],
    ["EC-P384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]],
    ["RSA-2048", ["-newkey", "rsa:2048"]],
    ["RSA-3072", ["-newkey", "rsa:3072"]],
  ];
  for (const [keyType, keyArgs] of accepted) {
    it(`an openssl ${keyType} CSR, as DER, PEM text and PEM bytes`, async () => {
      const der = opensslCsr(keyArgs);
      for (const input of [der, pemOf(der), new Uint8Array(Buffer.from(pemOf(der)))]) {
        const parsed = await parseCsr(input);
        assert.equal(parsed.keyType, keyType);
        assert.equal(parsed.requestedSpiffeIds, undefined);
        assert.equal(parsed.publicKey.export({ format: "pem", type: "spki" }).toString().trim(), opensslPublicKeyOf(der).trim());
        assert.equal(createPublicKey({ key: Buffer.from(parsed.spki), format: "der", type: "spki" }).equals(parsed.publicKey), true);
      }
    });
  }

  it("a CSR labelled NEW CERTIFICATE REQUEST", async () => {
    assert.equal((await parseCsr(pemOf(opensslCsr(EC_P256), "NEW CERTIFICATE REQUEST"))).keyType, "EC-P256");
  });

  it("a CSR signed with SHA-512, and a CSR asking for CA:false and digitalSignature", async () => {
    assert.equal((await parseCsr(opensslCsr(EC_P256, ["-sha512"]))).keyType, "EC-P256");
    const der = opensslCsr(EC_P256, ["-addext", "basicConstraints=critical,CA:FALSE", "-addext", "keyUsage=critical,digitalSignature"]);
    assert.equal((await parseCsr(der)).keyType, "EC-P256");
  });

  it("an RSA-PSS signed CSR", async () => {
    const der = opensslCsr(["-newkey", "rsa:2048"], ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"]);
    assert.equal((await parseCsr(der)).keyType, "RSA-2048");
  });

  it("and reports the URI SANs the CSR asks for", async () => {
    const der = opensslCsr(EC_P256, [
      "-addext",
      "subjectAltName=URI:spiffe://example.org/web,DNS:web.example.org,URI:spiffe://example.org/db",
    ]);
    assert.deepEqual((await parseCsr(der)).requestedSpiffeIds, ["spiffe://example.org/web", "spiffe://example.org/db"]);
  });
});

describe("parseCsr refuses", () => {
  const good = opensslCsr(EC_P256);
  const flipped = new Uint8Array(good);
  flipped[flipped.length - 1]! ^= 0x01;
  const flippedRsa = new Uint8Array(opensslCsr(["-newkey", "rsa:2048"]));
  flippedRsa[flippedRsa.length - 1]! ^= 0x01;
  const tampered = new Uint8Array(good);
  const cnAt = Buffer.from(tampered).indexOf("workload");
  tampered[cnAt] = "W".charCodeAt(0);

  const refusals: [string, () => string | Uint8Array, string, RegExp?][] = [
    ["a flipped byte in an ECDSA signature", () => flipped, "ERR_CSR_INVALID", /signature does not verify/],
    ["a flipped byte in an RSA signature", () => flippedRsa, "ERR_CSR_INVALID", /signature does not verify/],
    ["a changed subject (signature no longer covers it)", () => tampered, "ERR_CSR_INVALID", /signature does not verify/],
    ["an RSA-1024 key", () => opensslCsr(["-newkey", "rsa:1024"]), "ERR_KEY_UNSUPPORTED", /1024 bits/],
    ["an RSA-1536 key", () => opensslCsr(["-newkey", "rsa:1536"]), "ERR_KEY_UNSUPPORTED", /1536 bits/],
    ["a P-521 key", () => opensslCsr(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"]), "ERR_KEY_UNSUPPORTED", /secp521r1/],
    ["a secp256k1 key", () => opensslCsr(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1"]), "ERR_KEY_UNSUPPORTED"],
    ["an Ed25519 key", () => opensslCsr(["-newkey", "ed25519"]), "ERR_KEY_UNSUPPORTED", /ed25519/],
    ["a request for CA:true", () => opensslCsr(EC_P256, ["-addext", "basicConstraints=critical,CA:TRUE"]), "ERR_CSR_INVALID", /CA:true/],
    [
      "a request for keyCertSign",
      () => opensslCsr(EC_P256, ["-addext", "keyUsage=critical,digitalSignature,keyCertSign"]),
      "ERR_CSR_INVALID",
      /keyCertSign/,
    ],
    ["a request for cRLSign", () => opensslCsr(EC_P256, ["-addext", "keyUsage=cRLSign"]), "ERR_CSR_INVALID", /cRLSign/],
    ["a SHA-1 signature", () => opensslCsr(EC_P256, ["-sha1"]), "ERR_CSR_INVALID", /not allowed/],
    ["garbage text", () => "hello, I am a CSR", "ERR_CSR_INVALID"],
    ["garbage bytes", () => new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), "ERR_CSR_INVALID"],
    ["random bytes", () => new Uint8Array(200).fill(0xa5), "ERR_CSR_INVALID"],
    ["an empty string", () => "", "ERR_CSR_INVALID"],
    ["a trailing byte after the DER", () => new Uint8Array([...good, 0x00]), "ERR_CSR_INVALID", /single DER element/],
    ["a truncated DER", () => good.subarray(0, good.length - 1), "ERR_CSR_INVALID"],
    ["two PEM blocks", () => pemOf(good) + pemOf(good), "ERR_CSR_INVALID", /one PEM block/],
    ["a PEM block labelled CERTIFICATE", () => pemOf(good, "CERTIFICATE"), "ERR_CSR_INVALID", /one PEM block/],
    ["PEM with bad base64", () => pemOf(good).replace(/\n./, "\n*"), "ERR_CSR_INVALID", /malformed PEM/],
    ["PEM of more than 16 KiB", () => `${" ".repeat(MAX_CSR_BYTES)}${pemOf(good)}`, "ERR_CSR_INVALID", /larger than/],
    ["DER of more than 16 KiB", () => new Uint8Array(MAX_CSR_BYTES + 1), "ERR_CSR_INVALID", /larger than/],
  ];
  for (const [name, input, code, message] of refusals) {
    it(`${name} with ${code}`, async () => {
      await assert.rejects(() => parseCsr(input()), message ? { code, message } : { code });
    });
  }

  it("a CSR that is not a string or bytes with TypeError", async () => {
    await assert.rejects(() => parseCsr({} as unknown as string), TypeError);
  });
});

/** The parts of a hand-made PKCS#10 request signed with ECDSA P-256 / SHA-256, each already encoded. */
interface CsrParts {
  version: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  attributes: Uint8Array | undefined;
  /** Appended to the CertificationRequestInfo. */
  extra?: Uint8Array;
  signatureAlgorithm: Uint8Array;
  signature?: Uint8Array;
}

const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";

function extensionRequest(...extensions: Uint8Array[]): Uint8Array {
  return encodeSequence(encodeOid(EXTENSION_REQUEST), encodeSet(encodeSequence(...extensions)));
}

function attributes(...attributeList: Uint8Array[]): Uint8Array {
  return encodeElement(contextTag(0, true), ...attributeList);
}

describe("parseCsr on hand-made requests (strict DER, signature over exactly the request info)", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = new Uint8Array(publicKey.export({ format: "der", type: "spki" }));

  function csr(change: (parts: CsrParts) => void = () => undefined): Uint8Array {
    const parts: CsrParts = {
      version: encodeUnsignedInteger(0),
      subject: encodeSubjectName("workload"),
      spki,
      attributes: attributes(),
      signatureAlgorithm: encodeSequence(encodeOid(ECDSA_WITH_SHA256)),
    };
    change(parts);
    const info = encodeSequence(
      parts.version,
      parts.subject,
      parts.spki,
      ...(parts.attributes ? [parts.attributes] : []),
      ...(parts.extra ? [parts.extra] : []),
    );
    const signature = parts.signature ?? encodeBitString(sign("sha256", info, privateKey));
    return encodeSequence(info, parts.signatureAlgorithm, signature);
  }

  it("accepts a well-formed request, with or without the attributes field", async () => {
    for (const der of [csr(), csr((p) => (p.attributes = undefined))]) {
      const parsed = await parseCsr(der);
      assert.equal(parsed.keyType, "EC-P256");
      assert.equal(parsed.publicKey.equals(publicKey), true);
      assert.deepEqual(parsed.spki, spki);
    }
  });

  it("reports the URI SANs of the extension request, next to other attributes", async () => {
    const san = encodeExtension(
      OID_SUBJECT_ALT_NAME,
      false,
      encodeSubjectAltName(["spiffe://example.org/a", "spiffe://example.org/b"], ["a.example.org"]),
    );
    const challenge = encodeSequence(
      encodeOid("1.2.840.113549.1.9.7"),
      encodeSet(encodeElement(0x0c, new Uint8Array(Buffer.from("secret")))),
    );
    const parsed = await parseCsr(csr((p) => (p.attributes = attributes(challenge, extensionRequest(san)))));
    assert.deepEqual(parsed.requestedSpiffeIds, ["spiffe://example.org/a", "spiffe://example.org/b"]);
  });

  it("accepts an empty extension request, as some generators write one", async () => {
    const parsed = await parseCsr(csr((p) => (p.attributes = attributes(extensionRequest()))));
    assert.equal(parsed.requestedSpiffeIds, undefined);
  });

  it("reads a CSR made by createCsr with its SPIFFE ID, one openssl verifies too", async () => {
    const pem = await createCsr({ privateKey, spiffeId: SpiffeId.fromString("spiffe://example.org/web") });
    assert.deepEqual((await parseCsr(pem)).requestedSpiffeIds, ["spiffe://example.org/web"]);
    const checked = runOpenssl(["req", "-in", "csr.pem", "-verify", "-noout", "-text"], { "csr.pem": pem });
    assert.equal(checked.status, 0, checked.output);
    assert.match(checked.output, /URI:spiffe:\/\/example\.org\/web/);
  });

  it("reads CSRs made by createCsr for P-384 and RSA keys without a SPIFFE ID, which openssl verifies", async () => {
    for (const key of [
      generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey,
      generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
    ]) {
      const pem = await createCsr({ privateKey: key });
      assert.equal((await parseCsr(pem)).requestedSpiffeIds, undefined);
      const checked = runOpenssl(["req", "-in", "csr.pem", "-verify", "-noout"], { "csr.pem": pem });
      assert.equal(checked.status, 0, checked.output);
    }
  });

  const criticalFalse = encodeSequence(
    encodeOid(OID_KEY_USAGE),
    encodeBoolean(false),
    encodeOctetString(encodeKeyUsage(KeyUsageFlags.digitalSignature)),
  );
  const refusals: [string, (parts: CsrParts) => void, RegExp][] = [
    ["a version with a redundant zero octet", (p) => (p.version = Uint8Array.of(0x02, 0x02, 0x00, 0x00)), /malformed CSR/],
    ["version 2", (p) => (p.version = encodeUnsignedInteger(1)), /CSR version must be 1/],
    ["an empty RDN in the subject", (p) => (p.subject = encodeSequence(encodeSet())), /malformed CSR/],
    ["trailing data in the request info", (p) => (p.extra = encodeNull()), /malformed CSR/],
    ["a signature with padding bits", (p) => (p.signature = Uint8Array.of(0x03, 0x02, 0x01, 0x00)), /malformed CSR/],
    [
      "ECDSA with NULL parameters",
      (p) => (p.signatureAlgorithm = encodeSequence(encodeOid(ECDSA_WITH_SHA256), encodeNull())),
      /not allowed/,
    ],
    ["an explicit criticality FALSE", (p) => (p.attributes = attributes(extensionRequest(criticalFalse))), /malformed CSR/],
    [
      "an explicit CA:false",
      (p) =>
        (p.attributes = attributes(extensionRequest(encodeExtension(OID_BASIC_CONSTRAINTS, true, encodeSequence(encodeBoolean(false)))))),
      /malformed extension in CSR/,
    ],
    [
      "a request for CA:true",
      (p) => (p.attributes = attributes(extensionRequest(encodeExtension(OID_BASIC_CONSTRAINTS, true, encodeBasicConstraints(true))))),
      /CA:true/,
    ],
    [
      "a request for keyCertSign",
      (p) => (p.attributes = attributes(extensionRequest(encodeExtension(OID_KEY_USAGE, true, encodeKeyUsage(KeyUsageFlags.keyCertSign))))),
      /keyCertSign/,
    ],
    [
      "a SAN holding something other than a GeneralName",
      (p) => (p.attributes = attributes(extensionRequest(encodeExtension(OID_SUBJECT_ALT_NAME, false, encodeSequence(encodeNull()))))),
      /malformed extension in CSR/,
    ],
    [
      "two extension requests",
      (p) => {
        const ext = encodeExtension(OID_KEY_USAGE, true, encodeKeyUsage(KeyUsageFlags.digitalSignature));
        p.attributes = attributes(extensionRequest(ext), extensionRequest(ext));
      },
      /more than one extension request/,
    ],
  ];
  for (const [name, change, message] of refusals) {
    it(`refuses ${name} with ERR_CSR_INVALID`, async () => {
      await assert.rejects(() => parseCsr(csr(change)), { code: "ERR_CSR_INVALID", message });
    });
  }

  it("refuses a request whose signature covers other bytes than its request info", async () => {
    const signature = sign("sha256", new Uint8Array(Buffer.from("not the request info")), privateKey);
    await assert.rejects(() => parseCsr(csr((p) => (p.signature = encodeBitString(signature)))), {
      code: "ERR_CSR_INVALID",
      message: /does not verify/,
    });
  });
});
