import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { before, describe, it } from "node:test";
import { TrustDomain } from "../spiffeid/spiffe-id.js";
import { createCaCertificate } from "./create-ca-certificate.js";
import { encodeCertificatePem, parseCertificates } from "./pem.js";
import { NOW, at, createTestSigningKey, runOpenssl } from "./test-support.js";

const TD = TrustDomain.fromString("example.org");

describe("PEM in and out", () => {
  let a: Uint8Array;
  let b: Uint8Array;
  before(async () => {
    a = await createCaCertificate({ key: createTestSigningKey("ECC_NIST_P256"), trustDomain: TD, notBefore: NOW, notAfter: at(60) });
    b = await createCaCertificate({ key: createTestSigningKey("RSA_2048"), trustDomain: TD, notBefore: NOW, notAfter: at(60) });
  });

  it("encodes PEM that node and openssl read back to the same DER", () => {
    const pem = encodeCertificatePem(a);
    assert.match(pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
    assert.deepEqual(new Uint8Array(new X509Certificate(pem).raw), a);
    const r = runOpenssl(["x509", "-in", "a.pem", "-outform", "DER", "-out", "{dir}/a.der", "-noout"], { "a.pem": pem });
    assert.equal(r.status, 0, r.output);
  });

  it("encodes a chain as consecutive blocks and parses it back in order", () => {
    const pem = encodeCertificatePem([a, b]);
    assert.equal(pem.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2);
    assert.deepEqual(parseCertificates(pem), [a, b]);
  });

  it("parses PEM given as bytes, with CRLF line ends and text around the blocks", () => {
    const pem = `subject=whatever\r\n${encodeCertificatePem(a).replaceAll("\n", "\r\n")}trailing words\n${encodeCertificatePem(b)}`;
    assert.deepEqual(parseCertificates(pem), [a, b]);
    assert.deepEqual(parseCertificates(new Uint8Array(Buffer.from(pem))), [a, b]);
  });

  it("parses one DER certificate and concatenated DER certificates", () => {
    assert.deepEqual(parseCertificates(a), [a]);
    assert.deepEqual(parseCertificates(new Uint8Array([...a, ...b])), [a, b]);
  });

  it("gives no certificates for blank input", () => {
    assert.deepEqual(parseCertificates(""), []);
    assert.deepEqual(parseCertificates(" \n"), []);
    assert.deepEqual(parseCertificates(new Uint8Array()), []);
  });

  const refusals: [string, () => string | Uint8Array, RegExp][] = [
    ["text without a PEM block", () => "not a certificate", /no certificates found/],
    ["a private key block", () => "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", /unexpected PEM block "PRIVATE KEY"/],
    ["a block without its END line", () => encodeCertificatePem(a).replace("-----END CERTIFICATE-----\n", ""), /malformed PEM/],
    ["bad base64", () => encodeCertificatePem(a).replace(/\n./, "\n!"), /malformed PEM/],
    [
      "base64 of something that is not a certificate",
      () => "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n",
      /malformed certificate/,
    ],
    ["truncated DER", () => a.subarray(0, a.length - 1), /malformed DER/],
    ["DER with a trailing byte", () => new Uint8Array([...a, 0x30]), /malformed DER/],
  ];
  for (const [name, input, message] of refusals) {
    it(`refuses ${name} with ERR_X509SVID_INVALID`, () => {
      assert.throws(() => parseCertificates(input()), { code: "ERR_X509SVID_INVALID", message });
    });
  }
});
