import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { describe, it } from "node:test";
import { MAX_CSR_BYTES, parseCsr } from "./parse-csr.js";
import { opensslCsr, runOpenssl } from "./test-support.js";
import type { CsrKeyType } from "./types.js";

const EC_P256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];

function pemOf(der: Uint8Array, label = "CERTIFICATE REQUEST"): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
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
    it(`an openssl ${keyType} CSR, as DER, PEM text and PEM bytes`, () => {
      const der = opensslCsr(keyArgs);
      for (const input of [der, pemOf(der), new Uint8Array(Buffer.from(pemOf(der)))]) {
        const parsed = parseCsr(input);
        assert.equal(parsed.keyType, keyType);
        assert.equal(parsed.requestedSpiffeIds, undefined);
        assert.equal(parsed.publicKey.export({ format: "pem", type: "spki" }).toString().trim(), opensslPublicKeyOf(der).trim());
        assert.equal(createPublicKey({ key: Buffer.from(parsed.spki), format: "der", type: "spki" }).equals(parsed.publicKey), true);
      }
    });
  }

  it("a CSR labelled NEW CERTIFICATE REQUEST", () => {
    assert.equal(parseCsr(pemOf(opensslCsr(EC_P256), "NEW CERTIFICATE REQUEST")).keyType, "EC-P256");
  });

  it("a CSR signed with SHA-512, and a CSR asking for CA:false and digitalSignature", () => {
    assert.equal(parseCsr(opensslCsr(EC_P256, ["-sha512"])).keyType, "EC-P256");
    const der = opensslCsr(EC_P256, ["-addext", "basicConstraints=critical,CA:FALSE", "-addext", "keyUsage=critical,digitalSignature"]);
    assert.equal(parseCsr(der).keyType, "EC-P256");
  });

  it("an RSA-PSS signed CSR", () => {
    const der = opensslCsr(["-newkey", "rsa:2048"], ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"]);
    assert.equal(parseCsr(der).keyType, "RSA-2048");
  });

  it("and reports the URI SANs the CSR asks for", () => {
    const der = opensslCsr(EC_P256, ["-addext", "subjectAltName=URI:spiffe://example.org/web,DNS:web.example.org,URI:spiffe://example.org/db"]);
    assert.deepEqual(parseCsr(der).requestedSpiffeIds, ["spiffe://example.org/web", "spiffe://example.org/db"]);
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
    ["a request for keyCertSign", () => opensslCsr(EC_P256, ["-addext", "keyUsage=critical,digitalSignature,keyCertSign"]), "ERR_CSR_INVALID", /keyCertSign/],
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
    it(`${name} with ${code}`, () => {
      assert.throws(() => parseCsr(input()), message ? { code, message } : { code });
    });
  }

  it("a CSR that is not a string or bytes with TypeError", () => {
    assert.throws(() => parseCsr({} as unknown as string), TypeError);
  });
});
