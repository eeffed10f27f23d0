import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeEventLoopBusy } from "../../internal/crypto/test-support.js";
import { runKeyManagerConformance } from "../test/conformance.js";
import type { SigningKey } from "../types.js";
import { DiskKeyManager } from "./index.js";

let root: string;
let counter = 0;
const freshDirectory = (): string => join(root, `keys-${++counter}`, "nested");
const spki = (key: SigningKey): Buffer => key.publicKey.export({ type: "spki", format: "der" });

before(async () => {
  root = await mkdtemp(join(tmpdir(), "tessera-disk-km-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

runKeyManagerConformance("disk", () => new DiskKeyManager({ directory: freshDirectory() }));

describe("DiskKeyManager", () => {
  it("creates the directory 0700 and each key file 0600, as PKCS#8 PEM", async () => {
    const directory = freshDirectory();
    const km = new DiskKeyManager({ directory });
    const key = await km.generateKey("x509-ca-a", "ECC_NIST_P256");
    assert.equal((await stat(directory)).mode & 0o777, 0o700);
    const file = join(directory, "x509-ca-a.pem");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const pem = await readFile(file, "utf8");
    assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
    const fromFile = createPublicKey(createPrivateKey({ key: pem, format: "pem" }));
    assert.deepEqual(fromFile.export({ type: "spki", format: "der" }), spki(key));
    const data = randomBytes(32);
    assert.ok(verify("sha256", data, key.publicKey, await key.sign(data)));
    assert.deepEqual((await readdir(directory)).sort(), ["x509-ca-a.pem"], "no temporary file is left after a write");
  });

  it("signs in the thread pool while the event loop is busy, with the same key (P-256 and RSA)", async () => {
    const km = new DiskKeyManager({ directory: freshDirectory() });
    for (const [id, spec, hash] of [
      ["ec", "ECC_NIST_P256", "sha256"],
      ["rsa", "RSA_2048", "sha256"],
    ] as const) {
      const key = await km.generateKey(id, spec);
      const data = randomBytes(64);
      makeEventLoopBusy();
      const signature = await key.sign(data);
      assert.ok(verify(hash, data, key.publicKey, signature));
      assert.ok(!verify(hash, randomBytes(64), key.publicKey, signature));
    }
  });

  it("replaces a key file atomically, keeping its mode and leaving no temporary file", async () => {
    const directory = freshDirectory();
    const km = new DiskKeyManager({ directory });
    await km.generateKey("slot-a", "ECC_NIST_P256");
    const beforePem = await readFile(join(directory, "slot-a.pem"), "utf8");
    const replaced = await km.generateKey("slot-a", "RSA_2048");
    const afterPem = await readFile(join(directory, "slot-a.pem"), "utf8");
    assert.notEqual(afterPem, beforePem);
    assert.equal(createPrivateKey(afterPem).asymmetricKeyType, "rsa");
    assert.equal((await stat(join(directory, "slot-a.pem"))).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(directory), ["slot-a.pem"]);
    assert.deepEqual(spki(await new DiskKeyManager({ directory }).getKey("slot-a")), spki(replaced));
  });

  it("a fresh instance over the same directory sees the keys (restart)", async () => {
    const directory = freshDirectory();
    const first = new DiskKeyManager({ directory });
    const a = await first.generateKey("slot-a", "ECC_NIST_P384");
    const b = await first.generateKey("slot-b", "RSA_3072");

    const restarted = new DiskKeyManager({ directory });
    const listed = await restarted.listKeys();
    assert.deepEqual(
      listed.map((k) => [k.id, k.spec]),
      [
        ["slot-a", "ECC_NIST_P384"],
        ["slot-b", "RSA_3072"],
      ],
    );
    assert.deepEqual(spki(listed[0]!), spki(a));
    assert.deepEqual(spki(listed[1]!), spki(b));
    const data = randomBytes(48);
    const signature = await (await restarted.getKey("slot-a")).sign(data);
    assert.ok(verify("sha384", data, { key: a.publicKey, dsaEncoding: "der" }, signature));
  });

  it("a torn temporary file or a foreign file does not break listKeys", async () => {
    const directory = freshDirectory();
    const km = new DiskKeyManager({ directory });
    await km.generateKey("slot-a", "ECC_NIST_P256");
    await writeFile(join(directory, ".slot-b.pem.0123456789abcdef.tmp"), "-----BEGIN PRIVATE KEY-----\nMIGH", {
      mode: 0o600,
    });
    await writeFile(join(directory, "README"), "not a key");
    await writeFile(join(directory, "Slot-C.pem"), "not a key either: not a valid id");
    const restarted = new DiskKeyManager({ directory });
    assert.deepEqual(
      (await restarted.listKeys()).map((k) => k.id),
      ["slot-a"],
    );
    await assert.rejects(restarted.getKey("slot-b"), { code: "ERR_KEY_NOT_FOUND" });
  });

  it("keeps a key cached in memory after its first load", async () => {
    const directory = freshDirectory();
    const key = await new DiskKeyManager({ directory }).generateKey("slot-a", "ECC_NIST_P256");
    const km = new DiskKeyManager({ directory });
    await km.getKey("slot-a");
    await unlink(join(directory, "slot-a.pem"));
    assert.deepEqual(spki(await km.getKey("slot-a")), spki(key));
    await assert.rejects(new DiskKeyManager({ directory }).getKey("slot-a"), { code: "ERR_KEY_NOT_FOUND" });
  });

  it("serialises concurrent replacements of one id so memory and disk agree", async () => {
    const directory = freshDirectory();
    const km = new DiskKeyManager({ directory });
    await Promise.all([km.generateKey("slot-a", "ECC_NIST_P256"), km.generateKey("slot-a", "ECC_NIST_P384")]);
    const inMemory = await km.getKey("slot-a");
    const onDisk = await new DiskKeyManager({ directory }).getKey("slot-a");
    assert.equal(inMemory.spec, "ECC_NIST_P384");
    assert.deepEqual(spki(onDisk), spki(inMemory));
  });

  it("a corrupt key file is ERR_KEY_MANAGER, an unsupported key type ERR_KEY_UNSUPPORTED", async () => {
    const directory = freshDirectory();
    await new DiskKeyManager({ directory }).generateKey("slot-a", "ECC_NIST_P256");
    await writeFile(join(directory, "corrupt.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    const ed25519 = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" });
    await writeFile(join(directory, "edwards.pem"), ed25519);
    const km = new DiskKeyManager({ directory });
    await assert.rejects(km.getKey("corrupt"), { code: "ERR_KEY_MANAGER" });
    await assert.rejects(km.getKey("edwards"), { code: "ERR_KEY_UNSUPPORTED" });
    assert.equal((await km.getKey("slot-a")).spec, "ECC_NIST_P256");
    await unlink(join(directory, "edwards.pem"));
    await assert.rejects(new DiskKeyManager({ directory }).listKeys(), { code: "ERR_KEY_MANAGER" });
  });

  it("a directory that cannot be created is ERR_KEY_MANAGER", async () => {
    const file = join(root, `plain-file-${++counter}`);
    await writeFile(file, "");
    const km = new DiskKeyManager({ directory: join(file, "keys") });
    await assert.rejects(km.generateKey("slot-a", "ECC_NIST_P256"), { code: "ERR_KEY_MANAGER" });
    await assert.rejects(new DiskKeyManager({ directory: file }).listKeys(), { code: "ERR_KEY_MANAGER" });
  });

  it("needs a directory", () => {
    assert.throws(() => new DiskKeyManager({ directory: "" }), TypeError);
  });
});
