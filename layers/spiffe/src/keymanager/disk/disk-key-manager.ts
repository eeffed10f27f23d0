import { createPrivateKey, createPublicKey, generateKeyPair, sign } from "node:crypto";
import { placeCrypto } from "../../internal/crypto/event-loop-pressure.js";
import type { KeyObject } from "node:crypto";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { KeyManagerError, KeyNotFoundError, KeyUnsupportedError } from "../../errors.js";
import { signatureAlgorithmFor } from "../spec.js";
import type { KeyManager, KeyRetirer, KeySpec, SigningKey } from "../types.js";
import { writeFileAtomic } from "../../files/write-file-atomic.js";
import { PerIdQueue, validateKeyId } from "../key-id.js";

const KEY_FILE = /^([a-z0-9][a-z0-9-]{0,62})\.pem$/;
const DIRECTORY_MODE = 0o700;
const FILE_MODE = 0o600;

const generateKeyPairAsync = promisify(generateKeyPair);

/** Options of `DiskKeyManager`. */
export interface DiskKeyManagerOptions {
  /** Where the key files live; created (mode 0700) on the first `generateKey`. */
  directory: string;
}

async function generatePrivateKey(spec: KeySpec): Promise<KeyObject> {
  switch (spec) {
    case "ECC_NIST_P256":
      return (await generateKeyPairAsync("ec", { namedCurve: "P-256" })).privateKey;
    case "ECC_NIST_P384":
      return (await generateKeyPairAsync("ec", { namedCurve: "P-384" })).privateKey;
    case "RSA_2048":
      return (await generateKeyPairAsync("rsa", { modulusLength: 2048 })).privateKey;
    case "RSA_3072":
      return (await generateKeyPairAsync("rsa", { modulusLength: 3072 })).privateKey;
  }
}

function specOf(key: KeyObject): KeySpec | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === "ec") {
    if (details?.namedCurve === "prime256v1") return "ECC_NIST_P256";
    if (details?.namedCurve === "secp384r1") return "ECC_NIST_P384";
  } else if (key.asymmetricKeyType === "rsa") {
    if (details?.modulusLength === 2048) return "RSA_2048";
    if (details?.modulusLength === 3072) return "RSA_3072";
  }
  return undefined;
}

class DiskSigningKey implements SigningKey {
  readonly publicKey: KeyObject;
  readonly #privateKey: KeyObject;
  readonly #hash: string;

  constructor(
    readonly id: string,
    readonly spec: KeySpec,
    privateKey: KeyObject,
  ) {
    this.#privateKey = privateKey;
    this.#hash = signatureAlgorithmFor(spec).hash;
    this.publicKey = createPublicKey(privateKey);
  }

  /** Signs in libuv's thread pool while the event loop is busy (`placeCrypto`), else in this thread. */
  sign(data: Uint8Array): Promise<Uint8Array> {
    // ECDSA as DER (node's default, stated for clarity); RSA keys sign with PKCS#1 v1.5 by default.
    const key = { key: this.#privateKey, dsaEncoding: "der" } as const;
    return placeCrypto<Uint8Array>(
      () => sign(this.#hash, data, key),
      () => new Promise((resolve, reject) => sign(this.#hash, data, key, (err, signature) => (err ? reject(err) : resolve(signature)))),
    );
  }
}

/**
 * A key manager that keeps each key as a PKCS#8 PEM file `<id>.pem` (mode 0600) in one directory
 * (mode 0700), replaced atomically. Keys are cached in memory once loaded. For the single-machine
 * default; in AWS use `KmsKeyManager`.
 */
export class DiskKeyManager implements KeyManager, KeyRetirer {
  readonly #directory: string;
  readonly #cache = new Map<string, DiskSigningKey>();
  readonly #queue = new PerIdQueue();

  constructor(options: DiskKeyManagerOptions) {
    if (typeof options?.directory !== "string" || options.directory === "") {
      throw new TypeError("keymanager: DiskKeyManager needs a directory");
    }
    this.#directory = resolve(options.directory);
  }

  /** Make a new key for `id` and write it to disk, replacing any key the id had. */
  async generateKey(id: string, spec: KeySpec): Promise<SigningKey> {
    validateKeyId(id);
    signatureAlgorithmFor(spec);
    return this.#queue.run(id, async () => {
      const privateKey = await generatePrivateKey(spec);
      const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
      try {
        await mkdir(this.#directory, { recursive: true, mode: DIRECTORY_MODE });
        await writeFileAtomic(join(this.#directory, `${id}.pem`), pem, FILE_MODE);
      } catch (err) {
        throw new KeyManagerError(`keymanager: cannot write key ${id}`, { cause: err });
      }
      const key = new DiskSigningKey(id, spec, privateKey);
      this.#cache.set(id, key);
      return key;
    });
  }

  /** The key for `id`, from memory or its file; throws `KeyNotFoundError` when there is none. */
  async getKey(id: string): Promise<SigningKey> {
    validateKeyId(id);
    return this.#cache.get(id) ?? this.#queue.run(id, () => this.#load(id));
  }

  /** Delete the key file of `id` (nothing happens when there is none). */
  async retireKey(id: string): Promise<void> {
    validateKeyId(id);
    await this.#queue.run(id, async () => {
      this.#cache.delete(id);
      try {
        await rm(join(this.#directory, `${id}.pem`), { force: true });
      } catch (err) {
        throw new KeyManagerError(`keymanager: cannot delete key ${id}`, { cause: err });
      }
    });
  }

  /** Every key in the directory, by id; temporary files of interrupted writes are ignored. */
  async listKeys(): Promise<SigningKey[]> {
    let names: string[];
    try {
      names = await readdir(this.#directory);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new KeyManagerError("keymanager: cannot list the key directory", { cause: err });
    }
    const ids = names.flatMap((name) => KEY_FILE.exec(name)?.[1] ?? []).sort();
    return Promise.all(ids.map((id) => this.getKey(id)));
  }

  async #load(id: string): Promise<DiskSigningKey> {
    const cached = this.#cache.get(id);
    if (cached) return cached;
    let pem: Buffer;
    try {
      pem = await readFile(join(this.#directory, `${id}.pem`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        throw new KeyNotFoundError(`keymanager: no key ${id}`);
      }
      throw new KeyManagerError(`keymanager: cannot read key ${id}`, { cause: err });
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: pem, format: "pem" });
    } catch (err) {
      throw new KeyManagerError(`keymanager: key file of ${id} is not a private key`, { cause: err });
    }
    const spec = specOf(privateKey);
    if (!spec) throw new KeyUnsupportedError(`keymanager: key file of ${id} holds an unsupported key type`);
    const key = new DiskSigningKey(id, spec, privateKey);
    this.#cache.set(id, key);
    return key;
  }
}
