import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AWS_EC2_RSA2048_CERTIFICATES } from "./aws-region-certificates.js";
import { createRegionKeys, readRegionCertificatesFile } from "./region-certificates.js";

describe("AWS Region certificates", () => {
  it("ships a parseable RSA-2048 certificate for every Region, each AWS's own (Amazon Web Services LLC, Seattle)", () => {
    const regions = Object.keys(AWS_EC2_RSA2048_CERTIFICATES);
    for (const region of [
      "us-east-1",
      "eu-west-1",
      "ap-southeast-2",
      "il-central-1",
      "ca-west-1",
      "mx-central-1",
      "cn-north-1",
      "us-gov-west-1",
    ])
      assert.ok(regions.includes(region), region);
    const keys = createRegionKeys();
    for (const region of regions) {
      const cert = new X509Certificate(Buffer.from(AWS_EC2_RSA2048_CERTIFICATES[region] as string, "base64"));
      assert.match(cert.issuer, /O=Amazon Web Services LLC/, region);
      assert.equal(keys.get(region)?.asymmetricKeyDetails?.modulusLength, 2048, region);
    }
    assert.equal(keys.get("xx-nowhere-1"), undefined);
    assert.equal(keys.get("constructor"), undefined);
  });

  it("takes overrides by Region, and refuses a bad Region name, a bad PEM or a weak key with ERR_CONFIG", () => {
    assert.throws(() => createRegionKeys({ "not a region": "x" }), { code: "ERR_CONFIG" });
    assert.throws(() => createRegionKeys({ "xx-new-1": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" }), {
      code: "ERR_CONFIG",
    });
    const dir = mkdtempSync(join(tmpdir(), "tessera-region-certs-"));
    try {
      const made = (name: string, key: string[]) => {
        execFileSync(
          "openssl",
          [
            "req",
            "-x509",
            "-newkey",
            ...key,
            "-nodes",
            "-keyout",
            join(dir, `${name}.key`),
            "-out",
            join(dir, `${name}.pem`),
            "-subj",
            `/CN=${name}`,
            "-days",
            "1",
          ],
          { stdio: "ignore" },
        );
        return readFileSync(join(dir, `${name}.pem`), "utf8");
      };
      const rsa = made("rsa", ["rsa:2048"]);
      assert.equal(
        createRegionKeys({ "us-east-1": rsa }).get("us-east-1")?.export({ format: "pem", type: "spki" }),
        new X509Certificate(rsa).publicKey.export({ format: "pem", type: "spki" }),
      );
      assert.throws(
        () => createRegionKeys({ "xx-new-1": made("ec", ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]) }),
        /RSA key of at least 2048 bits/,
      );
      assert.throws(() => createRegionKeys({ "xx-new-1": made("rsa1024", ["rsa:1024"]) }), /RSA key of at least 2048 bits/);
      writeFileSync(join(dir, "bad.json"), "[1]");
      assert.throws(
        () => readRegionCertificatesFile(join(dir, "bad.json"), "TESSERA_AWS_EC2_CERTIFICATES_FILE"),
        /TESSERA_AWS_EC2_CERTIFICATES_FILE/,
      );
      assert.throws(() => readRegionCertificatesFile(join(dir, "missing.json"), "TESSERA_AWS_EC2_CERTIFICATES_FILE"), {
        code: "ERR_CONFIG",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
