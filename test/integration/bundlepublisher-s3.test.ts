// S3BundlePublisher against the local AWS emulator (moto, started by scripts/test.mjs): the objects
// it writes, their content types, and that an unchanged bundle adds no object version.
import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { exportJWK } from "jose";
import { before, describe, it } from "node:test";
import { BUNDLE_HASH_METADATA, createS3Client, CRL_CONTENT_TYPE, S3BundlePublisher, S3CrlPublisher } from "#tessera/aws";
import { Bundle, marshalPemBundle, marshalSpiffeBundle, parseSpiffeBundle, thumbprintOf } from "#tessera/core";
import { bundleOf, makeCaCertificate, TRUST_DOMAIN } from "#tessera/test-support";
import { createDiscoveryDocument, createOidcJwks } from "#tessera/issuer";

const s3 = createS3Client({ forcePathStyle: true });

async function versionedBucket(): Promise<string> {
  const bucket = `tessera-bundles-${randomBytes(4).toString("hex")}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  return bucket;
}

async function read(bucket: string, key: string): Promise<{ body: string; contentType?: string; metadata?: Record<string, string> }> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: await out.Body!.transformToString(), contentType: out.ContentType, metadata: out.Metadata };
}

async function versionCount(bucket: string): Promise<Record<string, number>> {
  const out = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  const counts: Record<string, number> = {};
  for (const version of out.Versions ?? []) counts[version.Key!] = (counts[version.Key!] ?? 0) + 1;
  return counts;
}

describe("S3BundlePublisher on moto", () => {
  let first: Uint8Array;
  let second: Uint8Array;
  before(async () => {
    [first, second] = await Promise.all([makeCaCertificate(), makeCaCertificate()]);
  });

  it("writes bundle.json (SPIFFE format) and bundle.pem with their content types", async () => {
    const bucket = await versionedBucket();
    const bundle = bundleOf([first], 3);
    assert.deepEqual(await new S3BundlePublisher({ client: s3, bucket }).publishBundle(bundle), { changed: true });

    const json = await read(bucket, "bundle.json");
    assert.equal(json.body, marshalSpiffeBundle(bundle));
    assert.equal(json.contentType, "application/json");
    assert.match(json.metadata?.[BUNDLE_HASH_METADATA] ?? "", /^[0-9a-f]{64}$/);
    const parsed = parseSpiffeBundle(json.body, TRUST_DOMAIN);
    assert.equal(parsed.sequence, 3);
    assert.deepEqual(
      parsed.x509Authorities.map((der) => Buffer.from(der).toString("base64")),
      [Buffer.from(first).toString("base64")],
    );

    const pem = await read(bucket, "bundle.pem");
    assert.equal(pem.body, marshalPemBundle(bundle));
    assert.equal(pem.contentType, "application/x-pem-file");
  });

  it("leaves unchanged objects alone, so no new version appears", async () => {
    const bucket = await versionedBucket();
    const publisher = new S3BundlePublisher({ client: s3, bucket });
    await publisher.publishBundle(bundleOf([first], 1));
    assert.deepEqual(await publisher.publishBundle(bundleOf([first], 1)), { changed: false });
    assert.deepEqual(await versionCount(bucket), { "bundle.json": 1, "bundle.pem": 1 });
  });

  it("writes a new version of both objects when the CAs change, and of bundle.json alone when only the sequence does", async () => {
    const bucket = await versionedBucket();
    const publisher = new S3BundlePublisher({ client: s3, bucket });
    await publisher.publishBundle(bundleOf([first], 1));
    assert.deepEqual(await publisher.publishBundle(bundleOf([first, second], 2)), { changed: true });
    assert.deepEqual(await versionCount(bucket), { "bundle.json": 2, "bundle.pem": 2 });
    assert.deepEqual(await publisher.publishBundle(bundleOf([first, second], 3)), { changed: true });
    assert.deepEqual(await versionCount(bucket), { "bundle.json": 3, "bundle.pem": 2 });
    assert.equal((await read(bucket, "bundle.pem")).body, marshalPemBundle(bundleOf([first, second])));
  });

  it("writes under a prefix", async () => {
    const bucket = await versionedBucket();
    await new S3BundlePublisher({ client: s3, bucket, prefix: "trust/example.org/" }).publishBundle(bundleOf([first]));
    assert.deepEqual(await versionCount(bucket), { "trust/example.org/bundle.json": 1, "trust/example.org/bundle.pem": 1 });
  });

  it("fails with a BundlePublishError naming the object when the bucket does not exist", async () => {
    const bucket = `tessera-missing-${randomBytes(4).toString("hex")}`;
    await assert.rejects(
      new S3BundlePublisher({ client: s3, bucket }).publishBundle(bundleOf([first])),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "ERR_BUNDLE_PUBLISH");
        assert.match(err.message, new RegExp(`^bundlepublisher: S3 (HeadObject|PutObject) of s3://${bucket}/bundle\\.json failed \\(`));
        return true;
      },
    );
  });

  it("with an issuer URL, publishes the OIDC discovery document and the JWKS beside the bundle, rewritten only when the JWT keys change", async () => {
    const bucket = await versionedBucket();
    const issuerUrl = "https://spiffe.example.org/tessera";
    const publisher = new S3BundlePublisher({ client: s3, bucket, prefix: "tessera/", issuerUrl });
    const jwtKeys = await Promise.all(
      [0, 1].map(async () => {
        const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
        return [await thumbprintOf(publicKey), await exportJWK(publicKey)] as const;
      }),
    );
    const withKeys = (keys: typeof jwtKeys, sequence: number) =>
      new Bundle({ trustDomain: TRUST_DOMAIN, x509Authorities: [first], jwtAuthorities: keys, sequence });
    const one = withKeys(jwtKeys.slice(0, 1), 1);
    assert.deepEqual(await publisher.publishBundle(one), { changed: true });
    const discovery = await read(bucket, "tessera/.well-known/openid-configuration");
    assert.equal(discovery.contentType, "application/json");
    assert.deepEqual(JSON.parse(discovery.body), createDiscoveryDocument(issuerUrl, one));
    assert.equal(JSON.parse(discovery.body).jwks_uri, `${issuerUrl}/.well-known/jwks.json`);
    const jwks = await read(bucket, "tessera/.well-known/jwks.json");
    assert.equal(jwks.contentType, "application/json");
    assert.deepEqual(JSON.parse(jwks.body), createOidcJwks(one));
    // A prepared JWT key: the JWKS gains it (its kid, use sig, alg) before it signs anything.
    await publisher.publishBundle(withKeys(jwtKeys, 2));
    assert.deepEqual(
      (JSON.parse((await read(bucket, "tessera/.well-known/jwks.json")).body) as { keys: { kid: string }[] }).keys.map((k) => k.kid),
      jwtKeys.map(([kid]) => kid).sort(),
    );
    await publisher.publishBundle(withKeys(jwtKeys, 3));
    assert.deepEqual(await versionCount(bucket), {
      "tessera/bundle.json": 3,
      "tessera/bundle.pem": 1,
      "tessera/.well-known/openid-configuration": 1,
      "tessera/.well-known/jwks.json": 2,
    });
  });

  it("publishes no OIDC document without an issuer URL", async () => {
    const bucket = await versionedBucket();
    await new S3BundlePublisher({ client: s3, bucket }).publishBundle(bundleOf([first]));
    assert.deepEqual(Object.keys(await versionCount(bucket)).sort(), ["bundle.json", "bundle.pem"]);
  });

  it("refuses a prefix that is not path segments ending in /", () => {
    for (const prefix of ["/lead", "no-slash", "a//b/"]) {
      assert.throws(() => new S3BundlePublisher({ client: s3, bucket: "b", prefix }), TypeError, prefix);
    }
  });
});

describe("S3CrlPublisher on moto", () => {
  it("writes crl/<slot key id>.crl as DER, once per change", async () => {
    const bucket = await versionedBucket();
    const crls = [
      { caId: "aa11", slotKeyId: "x509-ca-a", der: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01) },
      { caId: "bb22", slotKeyId: "x509-ca-b", der: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x02) },
    ];
    const publisher = new S3CrlPublisher({ client: s3, bucket });
    assert.deepEqual(await publisher.publishCrls(crls), { changed: true });
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "crl/x509-ca-a.crl" }));
    assert.equal(out.ContentType, CRL_CONTENT_TYPE);
    assert.deepEqual(new Uint8Array(await out.Body!.transformToByteArray()), crls[0]!.der);
    assert.deepEqual(await publisher.publishCrls(crls), { changed: false });
    assert.deepEqual(await publisher.publishCrls([{ caId: "aa11", slotKeyId: "x509-ca-a", der: Uint8Array.of(0x30, 0x00) }]), {
      changed: true,
    });
    assert.deepEqual(await versionCount(bucket), { "crl/x509-ca-a.crl": 2, "crl/x509-ca-b.crl": 1 });
  });
});
