import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TrustDomain } from "../spiffeid/spiffe-id.js";
import { createCaCertificate } from "../x509svid/create-ca-certificate.js";
import { at, createTestSigningKey } from "../x509svid/test-support.js";
import { removeAtomicWriteLeftovers, writeFileAtomic, writeX509SvidFiles } from "./index.js";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "tessera-files-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("writeFileAtomic", () => {
  it("replaces the file with exactly the mode asked, whatever the umask, and leaves no temp file", async () => {
    const directory = join(root, "replace");
    const path = join(directory, "a.txt");
    const umask = process.umask(0o077);
    try {
      await writeFileAtomic(path, "one", 0o644);
      await writeFileAtomic(path, new TextEncoder().encode("two"), 0o644);
    } finally {
      process.umask(umask);
    }
    assert.equal(await readFile(path, "utf8"), "two");
    assert.equal(await mode(path), 0o644);
    assert.deepEqual(await readdir(directory), ["a.txt"]);
  });

  it("makes a missing directory 0700", async () => {
    const directory = join(root, "made", "deeper");
    await writeFileAtomic(join(directory, "key.pem"), "secret", 0o600);
    assert.equal(await mode(directory), 0o700);
    assert.equal(await mode(join(directory, "key.pem")), 0o600);
  });

  it("a failed rename keeps the old file and removes its temp file", async () => {
    const directory = join(root, "failed");
    await writeFileAtomic(join(directory, "f"), "old", 0o600);
    await writeFileAtomic(join(directory, "sub", "x"), "x", 0o600);
    await assert.rejects(writeFileAtomic(join(directory, "sub"), "new", 0o600), { code: "EISDIR" });
    assert.deepEqual((await readdir(directory)).sort(), ["f", "sub"]);
    assert.equal(await readFile(join(directory, "f"), "utf8"), "old");
  });

  it("a directory it cannot write keeps the old file", async (t) => {
    if (process.getuid?.() === 0) return t.skip("root writes anywhere");
    const directory = join(root, "read-only");
    await writeFileAtomic(join(directory, "f"), "old", 0o600);
    await chmod(directory, 0o500);
    try {
      await assert.rejects(writeFileAtomic(join(directory, "f"), "new", 0o600), { code: "EACCES" });
    } finally {
      await chmod(directory, 0o700);
    }
    assert.equal(await readFile(join(directory, "f"), "utf8"), "old");
  });
});

describe("removeAtomicWriteLeftovers", () => {
  it("deletes the temp files of interrupted writes of that name, and nothing else", async () => {
    const directory = join(root, "leftovers");
    await writeFileAtomic(join(directory, "state.json"), "{}", 0o600);
    const leftovers = [".state.json.0123456789abcdef.tmp", "state.json.4242.7.tmp"];
    const kept = ["state.json", ".other.json.0123456789abcdef.tmp", "state.json.bak"];
    for (const name of [...leftovers, ...kept.slice(1)]) await writeFile(join(directory, name), "half");
    await removeAtomicWriteLeftovers(directory, "state.json");
    assert.deepEqual((await readdir(directory)).sort(), [...kept].sort());
  });
});

describe("writeX509SvidFiles", () => {
  it("writes spiffe-helper's three files: the key 0600, the chain and the bundle 0644, as PEM", async () => {
    const ca = await createCaCertificate({
      key: createTestSigningKey("ECC_NIST_P256"),
      trustDomain: TrustDomain.fromString("example.org"),
      notBefore: at(-60),
      notAfter: at(3600),
    });
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" });
    const directory = join(root, "svid");
    await writeX509SvidFiles(directory, { certificates: [ca], privateKey: pkcs8, bundle: [ca, ca] });

    assert.deepEqual((await readdir(directory)).sort(), ["svid.pem", "svid_bundle.pem", "svid_key.pem"]);
    assert.equal(await mode(join(directory, "svid_key.pem")), 0o600);
    assert.equal(await mode(join(directory, "svid.pem")), 0o644);
    assert.equal(await mode(join(directory, "svid_bundle.pem")), 0o644);
    const keyPem = await readFile(join(directory, "svid_key.pem"), "utf8");
    assert.equal(keyPem, privateKey.export({ format: "pem", type: "pkcs8" }));
    assert.ok(createPrivateKey(keyPem).equals(privateKey));
    assert.ok(new X509Certificate(await readFile(join(directory, "svid.pem"))).raw.equals(Buffer.from(ca)));
    assert.equal((await readFile(join(directory, "svid_bundle.pem"), "utf8")).match(/BEGIN CERTIFICATE/g)?.length, 2);
  });

  it("uses the names it is given", async () => {
    const directory = join(root, "named");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await writeX509SvidFiles(
      directory,
      { certificates: [], privateKey: privateKey.export({ format: "der", type: "pkcs8" }), bundle: [] },
      { cert: "c", key: "k", bundle: "b" },
    );
    assert.deepEqual((await readdir(directory)).sort(), ["b", "c", "k"]);
  });
});
