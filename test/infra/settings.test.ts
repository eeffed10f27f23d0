// Reading the deployment's settings from CDK context: defaults, and refusals that name the key.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configEnvironment, issuerUrlOf, readSettings } from "../../infra/lib/settings.js";
import { newApp } from "./support.js";

const read = (context: Record<string, unknown> = {}) => readSettings(newApp(context).node);

describe("readSettings", () => {
  it("reads cdk.json's defaults", () => {
    const settings = read();
    assert.deepEqual(
      { ...settings },
      {
        stackPrefix: "Tessera",
        trustDomain: "example.org",
        kmsAliasPrefix: "alias/tessera/example-org/",
        keySpec: "ECC_NIST_P256",
        credentialTtl: "1h",
        x509SvidTtl: "1h",
        x509SvidMaxTtl: "24h",
        jwtSvidTtl: "5m",
        jwtSvidMaxTtl: "1h",
        jwtSvids: true,
        caTtl: "30d",
        jwtKeyTtl: "30d",
        bundleRefreshHint: "5m",
        caWarnFraction: "0.9",
        rotateEveryMinutes: 10,
        publicBundles: false,
        logRetentionDays: 90,
        logLevel: "INFO",
        rolesAnywhere: true,
        trustAnchorName: "tessera-example-org",
        trustAnchorRemovalPolicy: "retain",
        exampleSpiffeId: "spiffe://example.org/aws/example",
        apiThrottle: { rateLimit: 50, burstLimit: 100 },
      },
    );
  });

  it("takes -c strings for flags and numbers, and the optional custom domain", () => {
    const settings = read({
      trustDomain: "prod.acme.internal",
      publicBundles: "true",
      logRetentionDays: "365",
      rotateEvery: "1h",
      customDomainName: "spiffe.acme.com",
      customDomainCertificateArn: "arn:aws:acm:eu-west-1:111122223333:certificate/abc",
    });
    assert.equal(settings.kmsAliasPrefix, "alias/tessera/prod-acme-internal/");
    assert.equal(settings.trustAnchorName, "tessera-prod-acme-internal");
    assert.equal(settings.exampleSpiffeId, "spiffe://prod.acme.internal/aws/example");
    assert.equal(settings.publicBundles, true);
    assert.equal(settings.logRetentionDays, 365);
    assert.equal(settings.rotateEveryMinutes, 60);
    assert.deepEqual(settings.customDomain, {
      domainName: "spiffe.acme.com",
      certificateArn: "arn:aws:acm:eu-west-1:111122223333:certificate/abc",
    });
  });

  it("hands the functions their configuration as TESSERA_* variables", () => {
    assert.deepEqual(configEnvironment(read({ caTtl: "60d" })), {
      TESSERA_TRUST_DOMAIN: "example.org",
      TESSERA_KEY_SPEC: "ECC_NIST_P256",
      TESSERA_CREDENTIAL_TTL: "1h",
      TESSERA_X509_SVID_TTL: "1h",
      TESSERA_X509_SVID_MAX_TTL: "24h",
      TESSERA_JWT_SVID_TTL: "5m",
      TESSERA_JWT_SVID_MAX_TTL: "1h",
      TESSERA_JWT_SVIDS: "true",
      TESSERA_CA_TTL: "60d",
      TESSERA_JWT_KEY_TTL: "30d",
      TESSERA_BUNDLE_REFRESH_HINT: "5m",
      TESSERA_CA_WARN_FRACTION: "0.9",
      TESSERA_LOG_LEVEL: "INFO",
    });
  });

  it("takes the warning fraction and an OIDC issuer URL, which wins over the custom domain and the API's URL", () => {
    const custom = {
      customDomainName: "spiffe.acme.com",
      customDomainCertificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/abc",
    };
    assert.equal(configEnvironment(read({ caWarnFraction: "0.95" })).TESSERA_CA_WARN_FRACTION, "0.95");
    assert.equal(configEnvironment(read({ jwtSvids: "false" })).TESSERA_JWT_SVIDS, "false");
    assert.equal(configEnvironment(read({ jwtSvids: false })).TESSERA_JWT_SVIDS, "false");
    assert.equal(issuerUrlOf(read(), "https://api.example"), "https://api.example");
    assert.equal(issuerUrlOf(read(custom), "https://api.example"), "https://spiffe.acme.com");
    assert.equal(
      issuerUrlOf(read({ ...custom, issuerUrl: "https://oidc.acme.com/tessera" }), "https://api.example"),
      "https://oidc.acme.com/tessera",
    );
  });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ["no trust domain", { trustDomain: "" }, /^infra: context trustDomain is not set/],
    [
      "a trust domain with capitals",
      { trustDomain: "Example.org" },
      /^infra: context trustDomain "Example\.org" is not a valid SPIFFE trust domain$/,
    ],
    [
      "a TTL the functions refuse",
      { x509SvidTtl: "2d" },
      /^infra: context x509SvidTtl is refused by the functions' configuration: config: TESSERA_X509_SVID_TTL is above/,
    ],
    ["a malformed duration", { caTtl: "a month" }, /^infra: context caTtl is refused .*TESSERA_CA_TTL must be a duration/],
    ["an unknown key spec", { keySpec: "ED25519" }, /^infra: context keySpec is refused .*TESSERA_KEY_SPEC must be one of/],
    ["a schedule in seconds", { rotateEvery: "90s" }, /^infra: context rotateEvery must be whole minutes/],
    ["a flag that is not a boolean", { publicBundles: "yes" }, /^infra: context publicBundles must be true or false$/],
    ["jwtSvids that is not a boolean", { jwtSvids: "off" }, /^infra: context jwtSvids must be true or false$/],
    ["a retention CloudWatch does not offer", { logRetentionDays: 100 }, /^infra: context logRetentionDays must be one of 1, 3, 5/],
    [
      "an example SPIFFE ID of another trust domain",
      { exampleSpiffeId: "spiffe://other.org/x" },
      /^infra: context exampleSpiffeId must be in trust domain example\.org$/,
    ],
    [
      "half a custom domain",
      { customDomainName: "spiffe.acme.com" },
      /^infra: context customDomainName and customDomainCertificateArn must be set together$/,
    ],
    [
      "a warning fraction before activation",
      { caWarnFraction: "0.5" },
      /^infra: context caWarnFraction is refused .*TESSERA_CA_WARN_FRACTION must be a decimal above/,
    ],
    [
      "an http issuer URL",
      { issuerUrl: "http://oidc.acme.com" },
      /^infra: context issuerUrl is refused .*TESSERA_ISSUER_URL must be an https URL/,
    ],
    [
      "an issuer URL ending in /",
      { issuerUrl: "https://oidc.acme.com/" },
      /^infra: context issuerUrl is refused .*TESSERA_ISSUER_URL must not end in \//,
    ],
    [
      "an unknown removal policy",
      { trustAnchorRemovalPolicy: "snapshot" },
      /^infra: context trustAnchorRemovalPolicy must be retain or destroy$/,
    ],
  ];
  for (const [name, context, message] of refusals) {
    it(`refuses ${name}, naming the context key`, () => assert.throws(() => read(context), { message }));
  }
});
