// Test-only fixtures for the x509svid tests: an in-memory SigningKey over node:crypto, openssl run
// on temporary files, and @peculiar/x509 keys for building deliberately wrong certificates.
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, sign, webcrypto } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { x509 } from "./test-support-x509.js";
import { signatureAlgorithmFor } from "../keymanager/spec.js";
import type { KeySpec, SigningKey } from "../keymanager/types.js";

/** A SigningKey over a node:crypto key pair that counts its signatures and shows its private key. */
export class TestSigningKey implements SigningKey {
  signCalls = 0;

  constructor(
    readonly id: string,
    readonly spec: KeySpec,
    readonly publicKey: KeyObject,
    readonly privateKey: KeyObject,
  ) {}

  async sign(data: Uint8Array): Promise<Uint8Array> {
    this.signCalls++;
    return new Uint8Array(sign(signatureAlgorithmFor(this.spec).hash, data, this.privateKey));
  }
}

/** A fixed instant every test measures validity against. */
export const NOW = new Date(Date.UTC(2030, 0, 15, 12, 0, 0));
/** `NOW` shifted by `seconds`. */
export function at(seconds: number): Date {
  return new Date(NOW.getTime() + seconds * 1000);
}

function keyPairFor(spec: KeySpec): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (spec) {
    case "ECC_NIST_P256":
      return generateKeyPairSync("ec", { namedCurve: "P-256" });
    case "ECC_NIST_P384":
      return generateKeyPairSync("ec", { namedCurve: "P-384" });
    case "RSA_2048":
      return generateKeyPairSync("rsa", { modulusLength: 2048 });
    case "RSA_3072":
      return generateKeyPairSync("rsa", { modulusLength: 3072 });
  }
}

/** A SigningKey over a fresh node:crypto key pair, signing as a KMS key of `spec` would. */
export function createTestSigningKey(spec: KeySpec, id = `test-${spec}`): TestSigningKey {
  const { publicKey, privateKey } = keyPairFor(spec);
  return new TestSigningKey(id, spec, publicKey, privateKey);
}

/** The result of running openssl. */
export interface OpensslResult {
  status: number | null;
  output: string;
}

/** Run `openssl` with `files` written to a temporary directory; `{dir}` in an argument names it. */
export function runOpenssl(args: string[], files: Record<string, string | Uint8Array> = {}): OpensslResult {
  const dir = mkdtempSync(join(tmpdir(), "tessera-x509svid-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const r = spawnSync(
      "openssl",
      args.map((a) => a.replaceAll("{dir}", dir)),
      { encoding: "utf8", cwd: dir },
    );
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A CSR made by openssl (a second implementation): `keyArgs` go to `openssl req -newkey`. */
export function opensslCsr(keyArgs: string[], extraArgs: string[] = []): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "tessera-csr-"));
  try {
    const r = spawnSync(
      "openssl",
      ["req", "-new", ...keyArgs, "-nodes", "-keyout", join(dir, "key.pem"), "-subj", "/CN=workload", ...extraArgs, "-outform", "DER"],
      { cwd: dir, maxBuffer: 1 << 20 },
    );
    if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr.toString()}`);
    return new Uint8Array(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type ImportAlgorithm = Parameters<typeof webcrypto.subtle.importKey>[2];

/** Web Crypto algorithm parameters of a key spec for @peculiar/x509, with its hash or another one. */
export function webAlgorithmFor(spec: KeySpec, hash = signatureAlgorithmFor(spec).hash.replace("sha", "SHA-")): ImportAlgorithm {
  if (spec.startsWith("ECC_")) return { name: "ECDSA", namedCurve: spec === "ECC_NIST_P256" ? "P-256" : "P-384", hash } as ImportAlgorithm;
  return { name: "RSASSA-PKCS1-v1_5", hash } as ImportAlgorithm;
}

/** A Web Crypto key pair holding the same keys as a test SigningKey, for @peculiar/x509's generator. */
export async function cryptoKeysOf(key: TestSigningKey, hash?: string): Promise<webcrypto.CryptoKeyPair> {
  const algorithm = webAlgorithmFor(key.spec, hash);
  const pkcs8 = key.privateKey.export({ format: "der", type: "pkcs8" });
  const spki = key.publicKey.export({ format: "der", type: "spki" });
  return {
    privateKey: await webcrypto.subtle.importKey("pkcs8", pkcs8, algorithm, true, ["sign"]),
    publicKey: await webcrypto.subtle.importKey("spki", spki, algorithm, true, ["verify"]),
  };
}

/** DER of an @peculiar/x509 certificate. */
export function derOf(cert: InstanceType<typeof x509.X509Certificate>): Uint8Array {
  return new Uint8Array(cert.rawData);
}
