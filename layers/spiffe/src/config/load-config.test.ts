import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig } from "./load-config.js";
import { parseDurationSeconds } from "./parse-duration.js";

const base = { TESSERA_TRUST_DOMAIN: "example.org", TESSERA_TABLE_NAME: "t" };

describe("loadConfig", () => {
  it("applies the defaults", () => {
    const c = loadConfig(base);
    assert.equal(c.trustDomain.name, "example.org");
    assert.deepEqual(c.store, { kind: "dynamodb", tableName: "t" });
    assert.deepEqual(c.keyManager, { kind: "kms", aliasPrefix: "alias/tessera/example-org/" });
    assert.equal(c.keySpec, "ECC_NIST_P256");
    assert.equal(c.x509SvidTtlSeconds, 3600);
    assert.equal(c.jwtSvidTtlSeconds, 300);
    assert.equal(c.caTtlSeconds, 30 * 86400);
  });

  it("resolves each AWS endpoint from AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL", () => {
    assert.deepEqual(loadConfig(base).awsEndpoints, {});
    const c = loadConfig({ ...base, AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_ENDPOINT_URL_ROLESANYWHERE: "http://127.0.0.1:5000" });
    assert.deepEqual(c.awsEndpoints, {
      kms: "http://127.0.0.1:4566",
      dynamodb: "http://127.0.0.1:4566",
      s3: "http://127.0.0.1:4566",
      rolesanywhere: "http://127.0.0.1:5000",
    });
    assert.throws(() => loadConfig({ ...base, AWS_ENDPOINT_URL_KMS: "not a url" }), /AWS_ENDPOINT_URL_KMS is not a URL/);
  });

  it("reads AWS instance identity certificates from TESSERA_AWS_EC2_CERTIFICATES_FILE, naming it when unreadable", () => {
    assert.equal(loadConfig(base).join.awsEc2Certificates, undefined);
    const dir = mkdtempSync(join(tmpdir(), "tessera-config-"));
    try {
      const file = join(dir, "certs.json");
      writeFileSync(file, JSON.stringify({ "xx-new-1": "PEM" }));
      assert.deepEqual(loadConfig({ ...base, TESSERA_AWS_EC2_CERTIFICATES_FILE: file }).join.awsEc2Certificates, { "xx-new-1": "PEM" });
      writeFileSync(file, "{");
      assert.throws(() => loadConfig({ ...base, TESSERA_AWS_EC2_CERTIFICATES_FILE: file }), /TESSERA_AWS_EC2_CERTIFICATES_FILE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads TESSERA_CA_WARN_FRACTION, 0.9 by default, and refuses one that would warn before rotation activates", () => {
    assert.equal(loadConfig(base).caWarnFraction, 0.9);
    assert.equal(loadConfig({ ...base, TESSERA_CA_WARN_FRACTION: "0.95" }).caWarnFraction, 0.95);
    for (const bad of ["0.8", "0.8333", "1", "1.5", "nine tenths", "-0.9", "0x1"]) {
      assert.throws(
        () => loadConfig({ ...base, TESSERA_CA_WARN_FRACTION: bad }),
        /TESSERA_CA_WARN_FRACTION must be a decimal above 0\.8333 and below 1/,
        bad,
      );
    }
  });

  it("reads TESSERA_JWT_SVIDS, true by default, and refuses anything but true or false", () => {
    assert.equal(loadConfig(base).jwtSvids, true);
    assert.equal(loadConfig({ ...base, TESSERA_JWT_SVIDS: "" }).jwtSvids, true);
    assert.equal(loadConfig({ ...base, TESSERA_JWT_SVIDS: "true" }).jwtSvids, true);
    assert.equal(loadConfig({ ...base, TESSERA_JWT_SVIDS: " false " }).jwtSvids, false);
    for (const bad of ["no", "0", "False", "off"]) {
      assert.throws(
        () => loadConfig({ ...base, TESSERA_JWT_SVIDS: bad }),
        /^ConfigError: config: TESSERA_JWT_SVIDS must be true or false$/,
        bad,
      );
    }
  });

  it("reads TESSERA_AUDIT_RETENTION_DAYS, 365 by default, and refuses anything but a whole number of days from 1", () => {
    assert.equal(loadConfig(base).auditRetentionDays, 365);
    assert.equal(loadConfig({ ...base, TESSERA_AUDIT_RETENTION_DAYS: "30" }).auditRetentionDays, 30);
    for (const bad of ["0", "-1", "1.5", "30d", "1e3", "9999999"]) {
      assert.throws(
        () => loadConfig({ ...base, TESSERA_AUDIT_RETENTION_DAYS: bad }),
        /TESSERA_AUDIT_RETENTION_DAYS must be a whole number of days/,
        bad,
      );
    }
  });

  it("reads TESSERA_ISSUER_URL, unset by default, and refuses one relying parties could not match with iss", () => {
    assert.equal(loadConfig(base).issuerUrl, undefined);
    assert.equal(loadConfig({ ...base, TESSERA_ISSUER_URL: "" }).issuerUrl, undefined);
    assert.equal(loadConfig({ ...base, TESSERA_ISSUER_URL: " https://spiffe.example.org " }).issuerUrl, "https://spiffe.example.org");
    assert.throws(
      () => loadConfig({ ...base, TESSERA_ISSUER_URL: "http://spiffe.example.org" }),
      /TESSERA_ISSUER_URL must be an https URL/,
    );
    assert.throws(
      () => loadConfig({ ...base, TESSERA_ISSUER_URL: "https://spiffe.example.org/" }),
      /TESSERA_ISSUER_URL must not end in \//,
    );
  });

  it("reads the embedded store and disk keys", () => {
    const c = loadConfig({
      TESSERA_TRUST_DOMAIN: "example.org",
      TESSERA_STORE: "embedded",
      TESSERA_KEY_MANAGER: "disk",
      TESSERA_DATA_DIR: "/d",
    });
    assert.deepEqual(c.store, { kind: "embedded", directory: "/d" });
    assert.deepEqual(c.keyManager, { kind: "disk", directory: "/d/keys" });
  });

  const failures: [string, Record<string, string>, RegExp][] = [
    ["no trust domain", { TESSERA_TABLE_NAME: "t" }, /TESSERA_TRUST_DOMAIN is not set/],
    ["bad trust domain", { ...base, TESSERA_TRUST_DOMAIN: "Example.org" }, /TESSERA_TRUST_DOMAIN/],
    ["no table", { TESSERA_TRUST_DOMAIN: "example.org" }, /TESSERA_TABLE_NAME is not set/],
    ["no data dir", { TESSERA_TRUST_DOMAIN: "example.org", TESSERA_STORE: "embedded" }, /TESSERA_DATA_DIR is not set/],
    ["bad store", { ...base, TESSERA_STORE: "redis" }, /TESSERA_STORE/],
    ["bad key spec", { ...base, TESSERA_KEY_SPEC: "ED25519" }, /TESSERA_KEY_SPEC/],
    ["bad duration", { ...base, TESSERA_X509_SVID_TTL: "an hour" }, /TESSERA_X509_SVID_TTL/],
    ["ttl above max", { ...base, TESSERA_X509_SVID_TTL: "2d" }, /TESSERA_X509_SVID_TTL is above/],
    ["CA too short", { ...base, TESSERA_CA_TTL: "1d" }, /TESSERA_CA_TTL must be at least 518940s: 6 x \(TESSERA_X509_SVID_MAX_TTL/],
    ["CA one second short of six SVID windows", { ...base, TESSERA_CA_TTL: "518939" }, /TESSERA_CA_TTL must be at least 518940s/],
    [
      "JWT key too short",
      { ...base, TESSERA_JWT_KEY_TTL: "6h" },
      /TESSERA_JWT_KEY_TTL must be at least 22140s: 6 x \(TESSERA_JWT_SVID_MAX_TTL/,
    ],
    [
      "refresh hint too long for the key",
      { ...base, TESSERA_BUNDLE_REFRESH_HINT: "2d" },
      /TESSERA_CA_TTL must be at least 3110400s: 6 x TESSERA_BUNDLE_REFRESH_HINT/,
    ],
  ];
  it("accepts a CA lifetime of exactly six SVID windows", () => {
    assert.equal(loadConfig({ ...base, TESSERA_CA_TTL: "518940" }).caTtlSeconds, 518940);
  });
  for (const [name, env, message] of failures) {
    it(`fails naming the variable: ${name}`, () =>
      assert.throws(
        () => loadConfig(env),
        (err: { code?: string; message: string }) => err.code === "ERR_CONFIG" && message.test(err.message),
      ));
  }
});

describe("parseDurationSeconds", () => {
  for (const [input, seconds] of [
    ["90", 90],
    ["90s", 90],
    ["15m", 900],
    ["1h", 3600],
    ["30d", 2592000],
  ] as const) {
    it(`${input} is ${seconds}s`, () => assert.equal(parseDurationSeconds(input, "X"), seconds));
  }
  for (const bad of ["", "0", "-1", "1w", "1.5h", "h"]) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parseDurationSeconds(bad, "X"), /X must be a duration/));
  }
});
