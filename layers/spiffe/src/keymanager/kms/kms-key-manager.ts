import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GetPublicKeyCommand,
  ListAliasesCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UpdateAliasCommand,
} from "@aws-sdk/client-kms";
import type { KeyMetadata, KMSClient, SigningAlgorithmSpec } from "@aws-sdk/client-kms";
import { createHash } from "node:crypto";
import type { Clock } from "../../clock.js";
import { systemClock } from "../../clock.js";
import { KeyManagerError, KeyNotFoundError } from "../../errors.js";
import type { TesseraError } from "../../errors.js";
import { signatureAlgorithmFor } from "../spec.js";
import type { KeyManager, KeyRetirer, KeySpec, SigningKey } from "../types.js";
import { checkedKeySpec, publicKeyFromSpki } from "./public-key.js";
import { awsErrorName } from "../../aws/aws-error.js";
import { translateKmsError } from "./translate-error.js";
import { KEY_ID_PATTERN, PerIdQueue, validateKeyId } from "../key-id.js";

/**
 * The one SDK call `KmsKeyManager` needs: a `KMSClient`, or a fake in tests. The client retries
 * throttling and timeouts itself (`createKmsClient` configures the SDK's retry strategy).
 */
export type KmsApi = Pick<KMSClient, "send">;

/** Options of `KmsKeyManager`. */
export interface KmsKeyManagerOptions {
  /** The KMS client; created by the caller (region, endpoint, credentials are its business). */
  client: KmsApi;
  /** Alias prefix of this manager's keys, e.g. `alias/tessera/example-org/`; key `id` is `<prefix><id>`. */
  aliasPrefix: string;
  /** Tags put on every new key, besides `tessera:key-id`. */
  tags?: Record<string, string>;
  /** Waiting period before KMS deletes a replaced key: 7 to 30 days. Default 7. */
  pendingWindowDays?: number;
  /** How long a loaded public key is trusted before `getKey` asks KMS again. Default 5 minutes. */
  cacheTtlMs?: number;
  /** Called when a replaced key could not be scheduled for deletion. Default: a warning on stderr. */
  onRetireError?: (err: TesseraError) => void;
  /** Dates key descriptions and ages the cache. Default: the system clock. */
  clock?: Clock;
}

/** Tag that names the key id on every key Tessera creates, so orphans can be traced. */
export const KEY_ID_TAG = "tessera:key-id";

const ALIAS_PREFIX = /^alias\/[a-zA-Z0-9/_-]*\/$/;
const MAX_ALIAS_LENGTH = 256;
const MAX_RAW_MESSAGE_BYTES = 4096;
const SIGNING_ALGORITHMS: Record<KeySpec, SigningAlgorithmSpec> = {
  ECC_NIST_P256: "ECDSA_SHA_256",
  ECC_NIST_P384: "ECDSA_SHA_384",
  RSA_2048: "RSASSA_PKCS1_V1_5_SHA_256",
  RSA_3072: "RSASSA_PKCS1_V1_5_SHA_256",
};
const STALE_KEY_ERRORS = new Set(["NotFoundException", "KMSInvalidStateException", "DisabledException"]);

function validateOptions(options: KmsKeyManagerOptions): void {
  if (typeof options?.client?.send !== "function") throw new TypeError("keymanager: KmsKeyManager needs a KMS client");
  const prefix = options.aliasPrefix;
  if (
    typeof prefix !== "string" ||
    !ALIAS_PREFIX.test(prefix) ||
    prefix.startsWith("alias/aws/") ||
    prefix.length + 63 > MAX_ALIAS_LENGTH
  ) {
    throw new TypeError("keymanager: aliasPrefix must look like alias/<name>/ and not be under alias/aws/");
  }
  const days = options.pendingWindowDays ?? 7;
  if (!Number.isInteger(days) || days < 7 || days > 30) {
    throw new TypeError("keymanager: pendingWindowDays must be an integer from 7 to 30");
  }
  const { cacheTtlMs } = options;
  if (cacheTtlMs !== undefined && !(cacheTtlMs >= 0)) throw new TypeError("keymanager: cacheTtlMs must be 0 or more");
  for (const [key, value] of Object.entries(options.tags ?? {})) {
    if (key === KEY_ID_TAG || key.startsWith("aws:") || key.length === 0 || key.length > 128 || value.length > 256) {
      throw new TypeError(`keymanager: tag ${JSON.stringify(key)} is reserved or too long`);
    }
  }
}

const warn = (err: TesseraError): void => console.warn(err.message);

/**
 * A key manager on AWS KMS: one asymmetric SIGN_VERIFY key per id behind the alias
 * `<aliasPrefix><id>`. Replacing a key creates a new one, moves the alias, and schedules the old
 * key for deletion. The private keys never leave KMS; public keys are cached per instance.
 */
export class KmsKeyManager implements KeyManager, KeyRetirer {
  readonly #client: KmsApi;
  readonly #prefix: string;
  readonly #tags: { TagKey: string; TagValue: string }[];
  readonly #pendingWindowDays: number;
  readonly #cacheTtlMs: number;
  readonly #onRetireError: (err: TesseraError) => void;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { key: SigningKey; arn: string; loadedAt: number }>();
  readonly #queue = new PerIdQueue();

  constructor(options: KmsKeyManagerOptions) {
    validateOptions(options);
    this.#client = options.client;
    this.#prefix = options.aliasPrefix;
    this.#tags = Object.entries(options.tags ?? {}).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
    this.#pendingWindowDays = options.pendingWindowDays ?? 7;
    this.#cacheTtlMs = options.cacheTtlMs ?? 5 * 60_000;
    this.#onRetireError = options.onRetireError ?? warn;
    this.#clock = options.clock ?? systemClock;
  }

  /** Create a new KMS key for `id`, point its alias at it, and schedule the key it replaces for deletion. */
  async generateKey(id: string, spec: KeySpec): Promise<SigningKey> {
    validateKeyId(id);
    signatureAlgorithmFor(spec);
    return this.#queue.run(id, () => this.#replace(id, spec));
  }

  /** The key behind `<aliasPrefix><id>`; throws `KeyNotFoundError` when there is none or it cannot sign. */
  async getKey(id: string): Promise<SigningKey> {
    validateKeyId(id);
    return this.#cached(id) ?? this.#queue.run(id, () => this.#load(id));
  }

  /** Every usable key whose alias starts with the prefix, by id. */
  async listKeys(): Promise<SigningKey[]> {
    const ids: string[] = [];
    let marker: string | undefined;
    do {
      const page = await this.#call("ListAliases", undefined, () =>
        this.#client.send(new ListAliasesCommand({ Limit: 100, Marker: marker })),
      );
      for (const alias of page.Aliases ?? []) {
        const id = alias.AliasName?.startsWith(this.#prefix) ? alias.AliasName.slice(this.#prefix.length) : "";
        if (KEY_ID_PATTERN.test(id) && alias.TargetKeyId) ids.push(id);
      }
      marker = page.Truncated ? page.NextMarker : undefined;
    } while (marker);
    const keys = await Promise.all(
      ids.sort().map((id) => this.getKey(id).catch((err) => (err instanceof KeyNotFoundError ? undefined : Promise.reject(err)))),
    );
    return keys.filter((key): key is SigningKey => key !== undefined);
  }

  /** Schedule the key behind `<aliasPrefix><id>` for deletion (the alias stays, on a key that no longer signs). */
  async retireKey(id: string): Promise<void> {
    validateKeyId(id);
    await this.#queue.run(id, async () => {
      const current = await this.#describeAlias(id);
      this.#cache.delete(id);
      if (current?.KeyId && current.KeyState !== "PendingDeletion") await this.#retire(id, current.KeyId);
    });
  }

  async #replace(id: string, spec: KeySpec): Promise<SigningKey> {
    let previous = await this.#describeAlias(id);
    const created = await this.#call("CreateKey", id, () =>
      this.#client.send(
        new CreateKeyCommand({
          KeySpec: spec,
          KeyUsage: "SIGN_VERIFY",
          Description: `Tessera signing key ${id} (${spec}), created ${this.#clock.now().toISOString()}`,
          Tags: [{ TagKey: KEY_ID_TAG, TagValue: id }, ...this.#tags],
        }),
      ),
    );
    const arn = created.KeyMetadata?.Arn;
    const keyId = created.KeyMetadata?.KeyId;
    if (!arn || !keyId) throw new KeyManagerError(`keymanager: KMS CreateKey returned no key ARN for key ${id}`);
    let key: SigningKey;
    try {
      key = await this.#fetchPublicKey(id, arn, checkedKeySpec(id, created.KeyMetadata!));
      previous = await this.#pointAlias(id, arn, previous);
    } catch (err) {
      await this.#retire(id, keyId).catch(() => undefined);
      throw err;
    }
    this.#cache.set(id, { key, arn, loadedAt: this.#clock.now().getTime() });
    if (previous?.KeyId && previous.KeyId !== keyId && previous.KeyState !== "PendingDeletion") {
      await this.#retire(id, previous.KeyId).catch((err: TesseraError) => this.#onRetireError(err));
    }
    return key;
  }

  /** Point the alias at `arn`; returns the key it pointed at before (found again if another writer made it). */
  async #pointAlias(id: string, arn: string, previous: KeyMetadata | undefined): Promise<KeyMetadata | undefined> {
    const AliasName = this.#prefix + id;
    if (!previous) {
      try {
        await this.#call("CreateAlias", id, () => this.#client.send(new CreateAliasCommand({ AliasName, TargetKeyId: arn })));
        return undefined;
      } catch (err) {
        if (awsErrorName(err) !== "AlreadyExistsException") throw err;
        previous = await this.#describeAlias(id);
      }
    }
    await this.#call("UpdateAlias", id, () => this.#client.send(new UpdateAliasCommand({ AliasName, TargetKeyId: arn })));
    return previous;
  }

  /** Schedule deletion of `keyId` (the key id, not the ARN: moto cannot find a key by ARN here). */
  async #retire(id: string, keyId: string): Promise<void> {
    try {
      await this.#call("ScheduleKeyDeletion", id, () =>
        this.#client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: this.#pendingWindowDays })),
      );
    } catch (err) {
      const name = awsErrorName(err);
      if (name !== "NotFoundException" && name !== "KMSInvalidStateException") throw err;
    }
  }

  async #describeAlias(id: string): Promise<KeyMetadata | undefined> {
    try {
      const described = await this.#call("DescribeKey", id, () => this.#client.send(new DescribeKeyCommand({ KeyId: this.#prefix + id })));
      return described.KeyMetadata;
    } catch (err) {
      if (err instanceof KeyNotFoundError) return undefined;
      throw err;
    }
  }

  async #load(id: string): Promise<SigningKey> {
    const cached = this.#cached(id);
    if (cached) return cached;
    const metadata = await this.#describeAlias(id);
    if (!metadata?.Arn) throw new KeyNotFoundError(`keymanager: no key ${id}`);
    if (metadata.KeyState !== "Enabled") {
      throw new KeyNotFoundError(`keymanager: key ${id} is ${metadata.KeyState ?? "in an unknown state"} in KMS`);
    }
    const key = await this.#fetchPublicKey(id, metadata.Arn, checkedKeySpec(id, metadata));
    this.#cache.set(id, { key, arn: metadata.Arn, loadedAt: this.#clock.now().getTime() });
    return key;
  }

  async #fetchPublicKey(id: string, arn: string, spec: KeySpec): Promise<SigningKey> {
    const response = await this.#call("GetPublicKey", id, () => this.#client.send(new GetPublicKeyCommand({ KeyId: arn })));
    const publicKey = publicKeyFromSpki(id, spec, response);
    return Object.freeze({ id, spec, publicKey, sign: (data: Uint8Array) => this.#sign(id, arn, spec, data) });
  }

  async #sign(id: string, arn: string, spec: KeySpec, data: Uint8Array): Promise<Uint8Array> {
    // KMS signs at most 4096 bytes (and at least one) as RAW; anything else goes as our own digest.
    const raw = data.length >= 1 && data.length <= MAX_RAW_MESSAGE_BYTES;
    const message = raw ? data : createHash(signatureAlgorithmFor(spec).hash).update(data).digest();
    try {
      const response = await this.#call("Sign", id, () =>
        this.#client.send(
          new SignCommand({
            KeyId: arn,
            Message: message,
            MessageType: raw ? "RAW" : "DIGEST",
            SigningAlgorithm: SIGNING_ALGORITHMS[spec],
          }),
        ),
      );
      if (!response.Signature?.length) throw new KeyManagerError(`keymanager: KMS Sign returned no signature for key ${id}`);
      return response.Signature;
    } catch (err) {
      // The key was deleted or disabled behind our back: forget it so the next getKey asks KMS again.
      if (STALE_KEY_ERRORS.has(awsErrorName(err) ?? "") && this.#cache.get(id)?.arn === arn) this.#cache.delete(id);
      throw err;
    }
  }

  #cached(id: string): SigningKey | undefined {
    const entry = this.#cache.get(id);
    if (entry && this.#clock.now().getTime() - entry.loadedAt < this.#cacheTtlMs) return entry.key;
    return undefined;
  }

  async #call<T>(operation: string, id: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw translateKmsError(err, operation, id);
    }
  }
}
