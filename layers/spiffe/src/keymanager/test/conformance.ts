/**
 * The conformance suite every `KeyManager` runs (as SPIRE's `keymanager/test`): key generation for
 * each spec, signatures checked by node:crypto, get/list/replace semantics, errors by code.
 */
import assert from "node:assert/strict";
import { constants, randomBytes, verify } from "node:crypto";
import { describe, it } from "node:test";
import { ecdsaDerToJose } from "../ecdsa-signature.js";
import { signatureAlgorithmFor } from "../spec.js";
import { KEY_SPECS } from "../types.js";
import type { KeyManager, KeyRetirer, KeySpec, SigningKey } from "../types.js";

/** Options of `runKeyManagerConformance`. */
export interface KeyManagerConformanceOptions {
  /**
   * The largest message the backend signs faithfully. Defaults to no limit; a KMS emulator that
   * ignores `MessageType: DIGEST` (moto) passes 4096 and tests the digest path separately.
   */
  maxMessageBytes?: number;
}

const KEY_DETAILS: Record<KeySpec, { type: string; namedCurve?: string; modulusLength?: number }> = {
  ECC_NIST_P256: { type: "ec", namedCurve: "prime256v1" },
  ECC_NIST_P384: { type: "ec", namedCurve: "secp384r1" },
  RSA_2048: { type: "rsa", modulusLength: 2048 },
  RSA_3072: { type: "rsa", modulusLength: 3072 },
};

function spki(key: SigningKey): Buffer {
  return key.publicKey.export({ type: "spki", format: "der" });
}

/** Checks `signature` over `data` with node:crypto and `publicKeyOf`'s key (default: the signer's). */
function verifies(key: SigningKey, data: Uint8Array, signature: Uint8Array, publicKeyOf: SigningKey = key): boolean {
  const { hash } = signatureAlgorithmFor(key.spec);
  const publicKey = publicKeyOf.publicKey;
  return publicKey.asymmetricKeyType === "ec"
    ? verify(hash, data, { key: publicKey, dsaEncoding: "der" }, signature)
    : verify(hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
}

async function assertSignsVerifiably(key: SigningKey, size: number): Promise<void> {
  const data = randomBytes(size);
  const signature = await key.sign(data);
  assert.ok(verifies(key, data, signature), `${key.spec} signature over ${size} bytes must verify`);
  const tampered = Buffer.from(data);
  tampered[0]! ^= 0x01;
  assert.equal(verifies(key, tampered, signature), false, "a signature must not verify other data");
  const { ecCoordinateLength } = signatureAlgorithmFor(key.spec);
  if (ecCoordinateLength) assert.doesNotThrow(() => ecdsaDerToJose(signature, ecCoordinateLength), "strict DER");
}

async function assertCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: string }).code, code);
    return true;
  });
}

/** Registers node:test suites that every `KeyManager` must pass; each test gets a fresh, empty manager. */
export function runKeyManagerConformance(
  name: string,
  makeKeyManager: () => (KeyManager & KeyRetirer) | Promise<KeyManager & KeyRetirer>,
  options: KeyManagerConformanceOptions = {},
): void {
  const maxMessageBytes = options.maxMessageBytes ?? Number.POSITIVE_INFINITY;

  describe(`KeyManager conformance: ${name}`, () => {
    it("lists no keys at start", async () => {
      const km = await makeKeyManager();
      assert.deepEqual(await km.listKeys(), []);
    });

    for (const spec of KEY_SPECS) {
      it(`generates a ${spec} key whose signatures node:crypto verifies`, async () => {
        const km = await makeKeyManager();
        const key = await km.generateKey("slot-a", spec);
        assert.equal(key.id, "slot-a");
        assert.equal(key.spec, spec);
        const expected = KEY_DETAILS[spec];
        assert.equal(key.publicKey.type, "public");
        assert.equal(key.publicKey.asymmetricKeyType, expected.type);
        if (expected.namedCurve) assert.equal(key.publicKey.asymmetricKeyDetails?.namedCurve, expected.namedCurve);
        if (expected.modulusLength) {
          assert.equal(key.publicKey.asymmetricKeyDetails?.modulusLength, expected.modulusLength);
        }
        await assertSignsVerifiably(key, 1);
        await assertSignsVerifiably(key, 4096);
      });
    }

    it("getKey after generateKey returns the same public key and a key that signs", async () => {
      const km = await makeKeyManager();
      const generated = await km.generateKey("x509-ca-a", "ECC_NIST_P256");
      const got = await km.getKey("x509-ca-a");
      assert.equal(got.id, "x509-ca-a");
      assert.equal(got.spec, "ECC_NIST_P256");
      assert.deepEqual(spki(got), spki(generated));
      const data = randomBytes(64);
      assert.ok(verifies(got, data, await got.sign(data), generated));
    });

    it("getKey of an unknown id throws ERR_KEY_NOT_FOUND", async () => {
      const km = await makeKeyManager();
      await assertCode(km.getKey("no-such-key"), "ERR_KEY_NOT_FOUND");
      await km.generateKey("present", "ECC_NIST_P256");
      await assertCode(km.getKey("absent"), "ERR_KEY_NOT_FOUND");
    });

    it("generateKey on an existing id replaces the key", async () => {
      const km = await makeKeyManager();
      const first = await km.generateKey("jwt-a", "ECC_NIST_P256");
      const data = randomBytes(100);
      const oldSignature = await first.sign(data);
      assert.ok(verifies(first, data, oldSignature));

      const second = await km.generateKey("jwt-a", "ECC_NIST_P256");
      assert.notDeepEqual(spki(second), spki(first));
      assert.equal(verifies(first, data, oldSignature, second), false, "old signatures must not verify with the new key");
      const got = await km.getKey("jwt-a");
      assert.deepEqual(spki(got), spki(second));
      await assertSignsVerifiably(got, 100);

      const third = await km.generateKey("jwt-a", "RSA_2048");
      assert.equal((await km.getKey("jwt-a")).spec, "RSA_2048");
      assert.deepEqual(spki(await km.getKey("jwt-a")), spki(third));
      const listed = await km.listKeys();
      assert.deepEqual(
        listed.map((k) => [k.id, k.spec]),
        [["jwt-a", "RSA_2048"]],
      );
      assert.deepEqual(spki(listed[0]!), spki(third));
    });

    it("retireKey stops a key for good: getKey throws ERR_KEY_NOT_FOUND, listKeys leaves it out, generateKey makes a new one", async () => {
      const km = await makeKeyManager();
      const kept = await km.generateKey("jwt-a", "ECC_NIST_P256");
      const retired = await km.generateKey("x509-ca-b", "ECC_NIST_P256");
      await km.retireKey("x509-ca-b");
      await assertCode(km.getKey("x509-ca-b"), "ERR_KEY_NOT_FOUND");
      assert.deepEqual(
        (await km.listKeys()).map((k) => k.id),
        ["jwt-a"],
      );
      assert.deepEqual(spki(await km.getKey("jwt-a")), spki(kept));
      await km.retireKey("x509-ca-b");
      await km.retireKey("never-made");
      const fresh = await km.generateKey("x509-ca-b", "ECC_NIST_P256");
      assert.notDeepEqual(spki(fresh), spki(retired));
      assert.deepEqual(spki(await km.getKey("x509-ca-b")), spki(fresh));
    });

    it("listKeys has one entry per id, sorted by id", async () => {
      const km = await makeKeyManager();
      const b = await km.generateKey("slot-b", "ECC_NIST_P384");
      await km.generateKey("slot-a", "ECC_NIST_P256");
      const a = await km.generateKey("slot-a", "ECC_NIST_P256");
      const listed = await km.listKeys();
      assert.deepEqual(
        listed.map((k) => [k.id, k.spec]),
        [
          ["slot-a", "ECC_NIST_P256"],
          ["slot-b", "ECC_NIST_P384"],
        ],
      );
      assert.deepEqual(spki(listed[0]!), spki(a));
      assert.deepEqual(spki(listed[1]!), spki(b));
      await assertSignsVerifiably(listed[1]!, 32);
    });

    const digestSpecs: KeySpec[] = ["ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048"];
    it(
      "signs a 5000-byte message (over KMS's 4096-byte RAW limit)",
      { skip: maxMessageBytes < 5000 && `${name} signs at most ${maxMessageBytes} bytes faithfully` },
      async () => {
        const km = await makeKeyManager();
        for (const spec of digestSpecs) {
          await assertSignsVerifiably(await km.generateKey(`big-${spec.toLowerCase().replace(/_/g, "-")}`, spec), 5000);
        }
      },
    );

    it("two concurrent generateKey calls for different ids both succeed", async () => {
      const km = await makeKeyManager();
      const [one, two] = await Promise.all([
        km.generateKey("concurrent-1", "ECC_NIST_P256"),
        km.generateKey("concurrent-2", "ECC_NIST_P384"),
      ]);
      await assertSignsVerifiably(one, 10);
      await assertSignsVerifiably(two, 10);
      assert.deepEqual(
        (await km.listKeys()).map((k) => k.id),
        ["concurrent-1", "concurrent-2"],
      );
    });

    it("refuses malformed key ids with TypeError", async () => {
      const km = await makeKeyManager();
      for (const id of ["", "A", "-a", "a_b", "a.pem", "../a", "a/b", "a".repeat(64)]) {
        await assert.rejects(km.generateKey(id, "ECC_NIST_P256"), TypeError, `generateKey(${JSON.stringify(id)})`);
        await assert.rejects(km.getKey(id), TypeError, `getKey(${JSON.stringify(id)})`);
      }
      await km.generateKey("a".repeat(63), "ECC_NIST_P256");
      assert.deepEqual(
        (await km.listKeys()).map((k) => k.id),
        ["a".repeat(63)],
      );
    });

    it("refuses an unknown key spec with ERR_KEY_UNSUPPORTED and makes nothing", async () => {
      const km = await makeKeyManager();
      await assertCode(km.generateKey("slot-a", "ED25519" as KeySpec), "ERR_KEY_UNSUPPORTED");
      assert.deepEqual(await km.listKeys(), []);
    });
  });
}
