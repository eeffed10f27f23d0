// KmsKeyManager against the local AWS emulator (moto, started by scripts/test.mjs; the client takes
// its endpoint from AWS_ENDPOINT_URL). moto ignores `MessageType: DIGEST` (it hashes the digest
// again), so this run keeps to RAW sizes; the DIGEST request shape is tested with
// aws-sdk-client-mock in layers/spiffe/src/keymanager/kms/kms-key-manager.test.ts.
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListResourceTagsCommand } from "@aws-sdk/client-kms";
import type { AliasListEntry } from "@aws-sdk/client-kms";
import assert from "node:assert/strict";
import { randomBytes, verify } from "node:crypto";
import { describe, it } from "node:test";
import { ecdsaDerToJose, ecdsaJoseToDer } from "#tessera/issuer";
import { KmsKeyManager } from "#tessera/aws";
import { runKeyManagerConformance } from "#tessera/test-support";

const client = new KMSClient({});
const run = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
let counter = 0;
const freshPrefix = (): string => `alias/tessera/test-${run}-${++counter}/`;

async function allAliases(): Promise<AliasListEntry[]> {
  const aliases: AliasListEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(new ListAliasesCommand({ Marker: marker }));
    aliases.push(...(page.Aliases ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return aliases;
}

runKeyManagerConformance("kms (moto)", () => new KmsKeyManager({ client, aliasPrefix: freshPrefix() }), {
  maxMessageBytes: 4096,
});

describe("KmsKeyManager on moto", () => {
  it("creates the key with its alias, description and tags", async () => {
    const aliasPrefix = freshPrefix();
    const km = new KmsKeyManager({ client, aliasPrefix, tags: { team: "platform", "tessera:trust-domain": "example.org" } });
    await km.generateKey("x509-ca-a", "ECC_NIST_P256");

    const described = await client.send(new DescribeKeyCommand({ KeyId: `${aliasPrefix}x509-ca-a` }));
    const metadata = described.KeyMetadata!;
    assert.equal(metadata.KeySpec, "ECC_NIST_P256");
    assert.equal(metadata.KeyUsage, "SIGN_VERIFY");
    assert.equal(metadata.KeyState, "Enabled");
    assert.match(metadata.Description ?? "", /^Tessera signing key x509-ca-a \(ECC_NIST_P256\), created \d{4}-/);

    const aliases = (await allAliases()).filter((a) => a.AliasName?.startsWith(aliasPrefix));
    assert.deepEqual(
      aliases.map((a) => [a.AliasName, a.TargetKeyId]),
      [[`${aliasPrefix}x509-ca-a`, metadata.KeyId]],
    );

    const tags = await client.send(new ListResourceTagsCommand({ KeyId: metadata.KeyId }));
    assert.deepEqual(Object.fromEntries((tags.Tags ?? []).map((t) => [t.TagKey, t.TagValue])), {
      "tessera:key-id": "x509-ca-a",
      team: "platform",
      "tessera:trust-domain": "example.org",
    });
  });

  it("schedules the replaced key for deletion with the configured window and moves the alias", async () => {
    const aliasPrefix = freshPrefix();
    const km = new KmsKeyManager({ client, aliasPrefix, pendingWindowDays: 9 });
    await km.generateKey("jwt-a", "ECC_NIST_P256");
    const before = (await client.send(new DescribeKeyCommand({ KeyId: `${aliasPrefix}jwt-a` }))).KeyMetadata!;
    const started = Date.now();
    await km.generateKey("jwt-a", "ECC_NIST_P384");

    const old = (await client.send(new DescribeKeyCommand({ KeyId: before.KeyId }))).KeyMetadata!;
    assert.equal(old.KeyState, "PendingDeletion");
    const days = (old.DeletionDate!.getTime() - started) / 86_400_000;
    assert.ok(days > 8.9 && days < 9.1, `deletion in ${days} days`);

    const current = (await client.send(new DescribeKeyCommand({ KeyId: `${aliasPrefix}jwt-a` }))).KeyMetadata!;
    assert.notEqual(current.KeyId, before.KeyId);
    assert.equal(current.KeySpec, "ECC_NIST_P384");
    assert.equal(current.KeyState, "Enabled");
  });

  it("a new instance over the same prefix finds the keys (restart)", async () => {
    const aliasPrefix = freshPrefix();
    const generated = await new KmsKeyManager({ client, aliasPrefix }).generateKey("slot-a", "RSA_2048");
    const restarted = new KmsKeyManager({ client, aliasPrefix });
    const [listed] = await restarted.listKeys();
    assert.equal(listed?.id, "slot-a");
    assert.deepEqual(listed.publicKey.export({ type: "spki", format: "der" }), generated.publicKey.export({ type: "spki", format: "der" }));
    const data = randomBytes(200);
    assert.ok(verify("sha256", data, generated.publicKey, await listed.sign(data)));
  });

  for (const [spec, hash, size] of [
    ["ECC_NIST_P256", "sha256", 32],
    ["ECC_NIST_P384", "sha384", 48],
  ] as const) {
    it(`a KMS ${spec} signature survives DER -> JOSE -> DER and verifies both ways`, async () => {
      const key = await new KmsKeyManager({ client, aliasPrefix: freshPrefix() }).generateKey("jwt-a", spec);
      for (let i = 0; i < 10; i++) {
        const data = randomBytes(64 + i);
        const der = await key.sign(data);
        const jose = ecdsaDerToJose(der, size);
        assert.ok(verify(hash, data, { key: key.publicKey, dsaEncoding: "ieee-p1363" }, jose));
        assert.deepEqual(Buffer.from(ecdsaJoseToDer(jose)), Buffer.from(der));
        assert.ok(verify(hash, data, { key: key.publicKey, dsaEncoding: "der" }, der));
      }
    });
  }
});
