import assert from "node:assert/strict";
import { X509Certificate, generateKeyPairSync, webcrypto } from "node:crypto";
import { describe, it } from "node:test";
import type { JWK } from "jose";
import { x509 } from "../x509svid/test-support-x509.js";
import { TrustDomain } from "../spiffeid/index.js";
import { Bundle } from "./bundle.js";
import { marshalPemBundle } from "./marshal-pem-bundle.js";
import { parsePemBundle } from "./parse-pem-bundle.js";

const INVALID = "ERR_BUNDLE_INVALID";
const td = TrustDomain.fromString("example.org");

async function makeCaCertificate(namedCurve: "P-256" | "P-384"): Promise<Uint8Array> {
  const algorithm = { name: "ECDSA", namedCurve, hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(algorithm, false, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=Tessera test CA ${namedCurve}, O=example.org`,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]["keys"],
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  return new Uint8Array(cert.rawData);
}

const [caA, caB] = (await Promise.all([makeCaCertificate("P-256"), makeCaCertificate("P-384")])) as [Uint8Array, Uint8Array];

function hexes(bundle: Bundle): string[] {
  return bundle.x509Authorities.map((der) => Buffer.from(der).toString("hex"));
}

function pemOf(der: Uint8Array): string {
  return new X509Certificate(der).toString();
}

describe("marshalPemBundle", () => {
  const bundle = new Bundle({ trustDomain: td, x509Authorities: [caA, caB] });
  const pem = marshalPemBundle(bundle);

  it("writes one CERTIFICATE block per authority, in order, lines of 64 characters", () => {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----\n[\s\S]*?\n-----END CERTIFICATE-----\n/g) ?? [];
    assert.equal(blocks.join(""), pem);
    assert.equal(blocks.length, 2);
    for (const line of pem.split("\n").filter((l) => l !== "" && !l.startsWith("-----"))) {
      assert.ok(line.length <= 64 && /^[A-Za-z0-9+/=]+$/.test(line), line);
    }
    assert.ok(pem.endsWith("-----END CERTIFICATE-----\n"));
  });

  it("writes what node's X509Certificate reads back, certificate for certificate", () => {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g) ?? [];
    assert.deepEqual(
      blocks.map((block) => Buffer.from(new X509Certificate(block).raw).toString("hex")),
      [caA, caB].map((der) => Buffer.from(der).toString("hex")),
    );
    assert.equal(blocks[0], pemOf(caA));
  });

  it("writes nothing for a bundle without X.509 authorities, whatever its JWT keys", () => {
    const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" }) as JWK;
    assert.equal(marshalPemBundle(new Bundle({ trustDomain: td, jwtAuthorities: [["k", jwk]] })), "");
  });

  it("refuses an authority that is not DER", () => {
    const bad = new Bundle({ trustDomain: td, x509Authorities: [caA, new Uint8Array([1, 2, 3])] });
    assert.throws(() => marshalPemBundle(bad), { code: INVALID, message: /^bundle: x509 authority 1 is not a DER/ });
  });
});

describe("parsePemBundle", () => {
  it("round-trips the X.509 authorities", () => {
    const original = new Bundle({ trustDomain: td, x509Authorities: [caA, caB] });
    const pem = marshalPemBundle(original);
    const parsed = parsePemBundle(pem, td);
    assert.equal(parsed.trustDomain, td);
    assert.deepEqual(hexes(parsed), hexes(original));
    assert.equal(parsed.jwtAuthorities.size, 0);
    assert.equal(marshalPemBundle(parsed), pem);
  });

  const accepted: { name: string; pem: string; expected: Uint8Array[] }[] = [
    { name: "empty input", pem: "", expected: [] },
    { name: "blank input", pem: " \n\r\n\t", expected: [] },
    { name: "one certificate from node", pem: pemOf(caB), expected: [caB] },
    { name: "CRLF line endings", pem: `${pemOf(caA)}${pemOf(caB)}`.replace(/\n/g, "\r\n"), expected: [caA, caB] },
    {
      name: "explanatory text around blocks",
      pem: `Subject: CA A\n${pemOf(caA)}\nissuer: CA B\n${pemOf(caB)}trailer`,
      expected: [caA, caB],
    },
    { name: "a repeated certificate", pem: `${pemOf(caA)}${pemOf(caB)}${pemOf(caA)}`, expected: [caA, caB] },
    { name: "no final newline", pem: pemOf(caA).trimEnd(), expected: [caA] },
    {
      name: "one long base64 line",
      pem: `-----BEGIN CERTIFICATE-----\n${Buffer.from(caA).toString("base64")}\n-----END CERTIFICATE-----`,
      expected: [caA],
    },
  ];
  for (const { name, pem, expected } of accepted) {
    it(`accepts ${name}`, () => {
      assert.deepEqual(
        hexes(parsePemBundle(pem, td)),
        expected.map((der) => Buffer.from(der).toString("hex")),
      );
    });
  }

  const body = pemOf(caA).split("\n").slice(1, -2);
  const block = (label: string, lines: string[]) => `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
  const refused: { name: string; pem: string; message: RegExp }[] = [
    { name: "text without PEM", pem: "not a bundle", message: /^bundle: no PEM certificate found$/ },
    { name: "bare base64 DER", pem: Buffer.from(caA).toString("base64"), message: /^bundle: no PEM certificate found$/ },
    {
      name: "a private key block",
      pem: `${pemOf(caA)}${generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" })}`,
      message: /^bundle: PEM block at line \d+ is "PRIVATE KEY", not "CERTIFICATE"$/,
    },
    {
      name: "a TRUSTED CERTIFICATE block",
      pem: block("TRUSTED CERTIFICATE", body),
      message: /is "TRUSTED CERTIFICATE", not "CERTIFICATE"$/,
    },
    {
      name: "a block without END",
      pem: pemOf(caA).replace("-----END CERTIFICATE-----", ""),
      message: /^bundle: PEM block "CERTIFICATE" at line 1 has no END line$/,
    },
    {
      name: "a mismatched END label",
      pem: pemOf(caA).replace("END CERTIFICATE", "END X509 CRL"),
      message: /expected "-----END CERTIFICATE-----"$/,
    },
    { name: "an END line outside a block", pem: `${pemOf(caA)}-----END CERTIFICATE-----\n`, message: /^bundle: PEM line \d+: unexpected/ },
    { name: "a nested BEGIN", pem: `-----BEGIN CERTIFICATE-----\n${pemOf(caA)}`, message: /expected "-----END CERTIFICATE-----"$/ },
    {
      name: "a body that is not base64",
      pem: block("CERTIFICATE", ["!!!!", ...body]),
      message: /^bundle: PEM block at line 1 is not base64$/,
    },
    { name: "an encapsulated header", pem: block("CERTIFICATE", ["Proc-Type: 4,ENCRYPTED", "", ...body]), message: /is not base64$/ },
    {
      name: "a truncated body",
      pem: block("CERTIFICATE", body.slice(0, -1)),
      message: /^bundle: PEM block at line 1 is not a DER X\.509 certificate$/,
    },
    { name: "an empty block", pem: block("CERTIFICATE", []), message: /^bundle: PEM block at line 1 is not base64$/ },
    {
      name: "a body that is not a certificate",
      pem: block("CERTIFICATE", [Buffer.from("0 hello, not DER").toString("base64")]),
      message: /^bundle: PEM block at line 1 is not a DER X\.509 certificate$/,
    },
    {
      name: "a certificate followed by extra bytes",
      pem: block("CERTIFICATE", [Buffer.concat([caA, Buffer.from([0, 0])]).toString("base64")]),
      message: /^bundle: PEM block at line 1 is not a DER X\.509 certificate$/,
    },
  ];
  for (const { name, pem, message } of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parsePemBundle(pem, td), { code: INVALID, message });
    });
  }

  it("refuses input that is not a string with a TypeError", () => {
    assert.throws(() => parsePemBundle(Buffer.from(pemOf(caA)) as unknown as string, td), TypeError);
  });
});
