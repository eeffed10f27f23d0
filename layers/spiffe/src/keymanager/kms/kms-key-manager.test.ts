import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UpdateAliasCommand,
} from "@aws-sdk/client-kms";
import type {
  CreateAliasCommandInput,
  CreateKeyCommandInput,
  DescribeKeyCommandInput,
  GetPublicKeyCommandInput,
  ListAliasesCommandInput,
  ScheduleKeyDeletionCommandInput,
  SignCommandInput,
  UpdateAliasCommandInput,
} from "@aws-sdk/client-kms";
import assert from "node:assert/strict";
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { beforeEach, describe, it } from "node:test";
import { createKmsClient } from "../../aws/clients.js";
import type { AwsRetryOptions } from "../../aws/retry-strategy.js";
import { FixedClock } from "../../clock.js";
import type { TesseraError } from "../../errors.js";
import { ecdsaDerToJose } from "../ecdsa-signature.js";
import { signatureAlgorithmFor } from "../spec.js";
import type { KeySpec } from "../types.js";
import { KmsKeyManager } from "./index.js";
import type { KmsKeyManagerOptions } from "./index.js";

const PREFIX = "alias/tessera/example-org/";
const ALGORITHMS: Record<KeySpec, string> = {
  ECC_NIST_P256: "ECDSA_SHA_256",
  ECC_NIST_P384: "ECDSA_SHA_384",
  RSA_2048: "RSASSA_PKCS1_V1_5_SHA_256",
  RSA_3072: "RSASSA_PKCS1_V1_5_SHA_256",
};

/** An error shaped as the SDK builds it from a KMS answer: name, HTTP status, fault. */
function awsError(name: string, message = name, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? "server" : "client", $metadata: { httpStatusCode } });
}

function generate(spec: KeySpec): KeyObject {
  switch (spec) {
    case "ECC_NIST_P256":
      return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    case "ECC_NIST_P384":
      return generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey;
    case "RSA_2048":
      return generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    case "RSA_3072":
      return generateKeyPairSync("rsa", { modulusLength: 3072 }).privateKey;
  }
}

interface FakeKey {
  arn: string;
  spec: KeySpec;
  usage: string;
  state: string;
  privateKey: KeyObject;
  tags: { TagKey?: string; TagValue?: string }[];
  description?: string;
  pendingWindowDays?: number;
}

type Handler = (input: never) => unknown;
type AnyInput = Partial<
  CreateAliasCommandInput &
    CreateKeyCommandInput &
    DescribeKeyCommandInput &
    GetPublicKeyCommandInput &
    ListAliasesCommandInput &
    ScheduleKeyDeletionCommandInput &
    SignCommandInput &
    UpdateAliasCommandInput
>;
interface RecordedCall {
  args: [{ input: AnyInput }];
}

/**
 * Answers a KMS client's calls in-process from inside the SDK's middleware stack, right below its
 * retry middleware: a failure a handler throws is classified and retried by the client's real retry
 * strategy, exactly as a failure from KMS would be. Records every attempt's input.
 */
class KmsStub {
  readonly #handlers = new Map<string, Handler>();
  #calls: { command: string; call: RecordedCall }[] = [];

  /** Serve `client` from this stub. */
  attach(client: KMSClient): KMSClient {
    const serve = (_next: unknown, context: { commandName?: string }) => async (args: RecordedCall["args"][0]) => {
      const command = context.commandName ?? "";
      this.#calls.push({ command, call: { args: [{ input: args.input }] } });
      const handler = this.#handlers.get(command);
      if (!handler) throw new Error(`KmsStub: no answer for ${command}`);
      const output = (await handler(args.input as never)) as object;
      return { response: undefined, output: { ...output, $metadata: {} } };
    };
    client.middlewareStack.addRelativeTo(serve as never, { relation: "after", toMiddleware: "retryMiddleware", name: "kmsStub" });
    return client;
  }

  /** Answer `command` with `fake`, or with a fixed value. */
  on(command: { name: string }): { callsFake(fake: Handler): void; resolves(value: unknown): void } {
    return {
      callsFake: (fake) => void this.#handlers.set(command.name, fake),
      resolves: (value) => void this.#handlers.set(command.name, () => value),
    };
  }

  /** Every attempt of `command` since the last reset, in order. */
  commandCalls(command: { name: string }): RecordedCall[] {
    return this.#calls.filter((c) => c.command === command.name).map((c) => c.call);
  }

  resetHistory(): void {
    this.#calls = [];
  }

  reset(): void {
    this.#handlers.clear();
    this.resetHistory();
  }
}

/**
 * An in-memory KMS behind a `KmsStub`, faithful where moto is not: it honours
 * `MessageType: DIGEST` (for digests of messages registered with `expectMessage`), refuses RAW
 * messages over 4096 bytes and keys that are not Enabled, and pages ListAliases.
 */
class FakeKms {
  readonly keys = new Map<string, FakeKey>();
  readonly aliases = new Map<string, string>();
  readonly #failures = new Map<string, Error[]>();
  readonly #preimages = new Map<string, Uint8Array>();
  pageSize = 2;

  constructor(readonly mock: KmsStub) {
    mock.reset();
    mock.on(CreateKeyCommand).callsFake((input: CreateKeyCommandInput) => this.#run("CreateKey", () => this.#createKey(input)));
    mock.on(DescribeKeyCommand).callsFake((input: DescribeKeyCommandInput) => this.#run("DescribeKey", () => this.#describe(input)));
    mock.on(GetPublicKeyCommand).callsFake((input: GetPublicKeyCommandInput) => this.#run("GetPublicKey", () => this.#publicKey(input)));
    mock.on(CreateAliasCommand).callsFake((input: CreateAliasCommandInput) => this.#run("CreateAlias", () => this.#createAlias(input)));
    mock.on(UpdateAliasCommand).callsFake((input: UpdateAliasCommandInput) => this.#run("UpdateAlias", () => this.#updateAlias(input)));
    mock
      .on(ScheduleKeyDeletionCommand)
      .callsFake((input: ScheduleKeyDeletionCommandInput) => this.#run("ScheduleKeyDeletion", () => this.#schedule(input)));
    mock.on(ListAliasesCommand).callsFake((input: ListAliasesCommandInput) => this.#run("ListAliases", () => this.#list(input)));
    mock.on(SignCommand).callsFake((input: SignCommandInput) => this.#run("Sign", () => this.#sign(input)));
  }

  /** The next calls of `operation` fail with these errors, in order. */
  fail(operation: string, ...errors: Error[]): void {
    this.#failures.set(operation, [...(this.#failures.get(operation) ?? []), ...errors]);
  }

  /** Lets the fake sign the digest of `data`, as real KMS signs any digest. */
  expectMessage(data: Uint8Array, hash: string): void {
    this.#preimages.set(createHash(hash).update(data).digest("hex"), data);
  }

  /** The key with this ARN, key id or alias. */
  key(keyId: string): FakeKey {
    const arn = this.aliases.get(keyId) ?? [...this.keys.keys()].find((a) => a === keyId || a.endsWith(`/${keyId}`));
    const key = this.keys.get(arn ?? "");
    if (!key) throw awsError("NotFoundException", `${keyId} not found`);
    return key;
  }

  async #run<T>(operation: string, handler: () => T): Promise<T> {
    const failure = this.#failures.get(operation)?.shift();
    if (failure) throw failure;
    return handler();
  }

  #createKey(input: CreateKeyCommandInput) {
    const spec = input.KeySpec as KeySpec;
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${randomUUID()}`;
    const key: FakeKey = {
      arn,
      spec,
      usage: input.KeyUsage ?? "ENCRYPT_DECRYPT",
      state: "Enabled",
      privateKey: generate(spec),
      tags: input.Tags ?? [],
      description: input.Description,
    };
    this.keys.set(arn, key);
    return { KeyMetadata: this.#metadata(key) };
  }

  #metadata(key: FakeKey) {
    return { Arn: key.arn, KeyId: key.arn.split("/")[1], KeySpec: key.spec, KeyUsage: key.usage, KeyState: key.state };
  }

  #describe(input: DescribeKeyCommandInput) {
    return { KeyMetadata: this.#metadata(this.key(input.KeyId!)) };
  }

  #publicKey(input: GetPublicKeyCommandInput) {
    const key = this.key(input.KeyId!);
    if (key.state === "PendingDeletion") throw awsError("KMSInvalidStateException");
    return {
      KeyId: key.arn,
      KeySpec: key.spec,
      KeyUsage: key.usage,
      PublicKey: new Uint8Array(createPublicKey(key.privateKey).export({ type: "spki", format: "der" })),
    };
  }

  #createAlias(input: CreateAliasCommandInput) {
    if (this.aliases.has(input.AliasName!)) throw awsError("AlreadyExistsException");
    this.key(input.TargetKeyId!);
    this.aliases.set(input.AliasName!, input.TargetKeyId!);
    return {};
  }

  #updateAlias(input: UpdateAliasCommandInput) {
    if (!this.aliases.has(input.AliasName!)) throw awsError("NotFoundException");
    this.aliases.set(input.AliasName!, this.key(input.TargetKeyId!).arn);
    return {};
  }

  #schedule(input: ScheduleKeyDeletionCommandInput) {
    const key = this.key(input.KeyId!);
    if (key.state === "PendingDeletion") throw awsError("KMSInvalidStateException");
    key.state = "PendingDeletion";
    key.pendingWindowDays = input.PendingWindowInDays;
    return { KeyId: key.arn };
  }

  #list(input: ListAliasesCommandInput) {
    const names = [...this.aliases.keys(), "alias/aws/s3"].sort();
    const start = input.Marker ? Number(input.Marker) : 0;
    const end = Math.min(names.length, start + Math.min(input.Limit ?? 100, this.pageSize));
    return {
      Aliases: names.slice(start, end).map((AliasName) => ({ AliasName, TargetKeyId: this.aliases.get(AliasName) ?? "aws" })),
      Truncated: end < names.length,
      NextMarker: end < names.length ? String(end) : undefined,
    };
  }

  #sign(input: SignCommandInput) {
    const key = this.key(input.KeyId!);
    if (key.state !== "Enabled") throw awsError("KMSInvalidStateException");
    if (input.SigningAlgorithm !== ALGORITHMS[key.spec]) throw awsError("InvalidKeyUsageException");
    const { hash } = signatureAlgorithmFor(key.spec);
    const message = input.Message!;
    let data: Uint8Array;
    if (input.MessageType === "DIGEST") {
      const preimage = this.#preimages.get(Buffer.from(message).toString("hex"));
      if (!preimage) throw awsError("ValidationException", "the fake knows no message with that digest");
      data = preimage;
    } else {
      if (message.length < 1 || message.length > 4096) throw awsError("ValidationException", "Message length");
      data = message;
    }
    return { KeyId: key.arn, SigningAlgorithm: input.SigningAlgorithm, Signature: sign(hash, data, key.privateKey) };
  }
}

const kmsMock = new KmsStub();
let fake: FakeKms;
let clock: FixedClock;

/** A KMS client as production makes it (`createKmsClient`), answered by the fake. */
function kmsClient(retry?: AwsRetryOptions): KMSClient {
  const client = createKmsClient({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    ...(retry ? { retry } : {}),
  });
  return kmsMock.attach(client);
}

function manager(options: Partial<KmsKeyManagerOptions> = {}, retry?: AwsRetryOptions): KmsKeyManager {
  return new KmsKeyManager({ client: kmsClient(retry), aliasPrefix: PREFIX, clock, ...options });
}

/** What the SDK's retry middleware recorded on the error it gave up with. */
function retryLog(err: unknown): { attempts?: number; totalRetryDelay?: number } {
  return (err as { $metadata?: { attempts?: number; totalRetryDelay?: number } }).$metadata ?? {};
}

function verifies(spec: KeySpec, publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  return verify(signatureAlgorithmFor(spec).hash, data, publicKey, signature);
}

beforeEach(() => {
  fake = new FakeKms(kmsMock);
  clock = new FixedClock(Date.parse("2030-01-02T03:04:05Z"));
});

describe("KmsKeyManager requests", () => {
  it("generateKey of a new id: CreateKey with spec, usage, description and tags, then CreateAlias", async () => {
    const km = manager({ tags: { team: "platform", env: "test" } });
    const key = await km.generateKey("x509-ca-a", "ECC_NIST_P384");

    const [create] = kmsMock.commandCalls(CreateKeyCommand);
    assert.deepEqual(create!.args[0].input, {
      KeySpec: "ECC_NIST_P384",
      KeyUsage: "SIGN_VERIFY",
      Description: "Tessera signing key x509-ca-a (ECC_NIST_P384), created 2030-01-02T03:04:05.000Z",
      Tags: [
        { TagKey: "tessera:key-id", TagValue: "x509-ca-a" },
        { TagKey: "team", TagValue: "platform" },
        { TagKey: "env", TagValue: "test" },
      ],
    });
    const arn = [...fake.keys.keys()][0]!;
    assert.deepEqual(kmsMock.commandCalls(DescribeKeyCommand)[0]!.args[0].input, { KeyId: `${PREFIX}x509-ca-a` });
    assert.deepEqual(kmsMock.commandCalls(GetPublicKeyCommand)[0]!.args[0].input, { KeyId: arn });
    assert.deepEqual(kmsMock.commandCalls(CreateAliasCommand)[0]!.args[0].input, {
      AliasName: `${PREFIX}x509-ca-a`,
      TargetKeyId: arn,
    });
    assert.equal(kmsMock.commandCalls(UpdateAliasCommand).length, 0);
    assert.equal(kmsMock.commandCalls(ScheduleKeyDeletionCommand).length, 0);
    assert.deepEqual(
      key.publicKey.export({ type: "spki", format: "der" }),
      createPublicKey(fake.keys.get(arn)!.privateKey).export({ type: "spki", format: "der" }),
    );
  });

  it("generateKey of an existing id: UpdateAlias, then ScheduleKeyDeletion of the old key with the window", async () => {
    const km = manager({ pendingWindowDays: 12 });
    await km.generateKey("jwt-a", "ECC_NIST_P256");
    const [oldArn] = [...fake.keys.keys()];
    await km.generateKey("jwt-a", "RSA_2048");
    const newArn = fake.aliases.get(`${PREFIX}jwt-a`)!;
    assert.notEqual(newArn, oldArn);
    assert.deepEqual(kmsMock.commandCalls(UpdateAliasCommand)[0]!.args[0].input, { AliasName: `${PREFIX}jwt-a`, TargetKeyId: newArn });
    assert.deepEqual(kmsMock.commandCalls(ScheduleKeyDeletionCommand)[0]!.args[0].input, {
      KeyId: oldArn!.split("/")[1],
      PendingWindowInDays: 12,
    });
    assert.equal(fake.keys.get(oldArn!)!.state, "PendingDeletion");
    assert.equal(fake.keys.get(newArn)!.state, "Enabled");
  });

  it("defaults the pending window to 7 days", async () => {
    const km = manager();
    await km.generateKey("jwt-a", "ECC_NIST_P256");
    await km.generateKey("jwt-a", "ECC_NIST_P256");
    assert.equal(kmsMock.commandCalls(ScheduleKeyDeletionCommand)[0]!.args[0].input.PendingWindowInDays, 7);
  });

  it("an alias another writer created in between is updated, and its key retired", async () => {
    const other = await manager().generateKey("slot-a", "ECC_NIST_P256");
    const otherArn = fake.aliases.get(`${PREFIX}slot-a`)!;
    kmsMock.resetHistory();
    // This manager looks before the other writer's alias exists, and creates after it does.
    const km = manager();
    fake.fail("DescribeKey", awsError("NotFoundException"));
    const key = await km.generateKey("slot-a", "ECC_NIST_P256");
    assert.equal(kmsMock.commandCalls(CreateAliasCommand).length, 1);
    assert.equal(kmsMock.commandCalls(UpdateAliasCommand).length, 1);
    assert.equal(fake.keys.get(otherArn)!.state, "PendingDeletion");
    assert.notDeepEqual(key.publicKey.export({ type: "spki", format: "der" }), other.publicKey.export({ type: "spki", format: "der" }));
  });

  it("a failed alias step retires the key just made and reports ERR_KEY_MANAGER with the cause", async () => {
    const km = manager();
    fake.fail("CreateAlias", awsError("AccessDeniedException"));
    await assert.rejects(km.generateKey("slot-a", "ECC_NIST_P256"), (err: TesseraError) => {
      assert.equal(err.code, "ERR_KEY_MANAGER");
      assert.equal((err.cause as Error).name, "AccessDeniedException");
      return true;
    });
    const [orphan] = [...fake.keys.values()];
    assert.equal(orphan!.state, "PendingDeletion");
    assert.equal(fake.aliases.size, 0);
  });

  it("a replaced key that cannot be retired does not fail generateKey; onRetireError hears of it", async () => {
    const heard: TesseraError[] = [];
    const km = manager({ onRetireError: (err) => heard.push(err) });
    await km.generateKey("slot-a", "ECC_NIST_P256");
    fake.fail("ScheduleKeyDeletion", awsError("AccessDeniedException"));
    const key = await km.generateKey("slot-a", "ECC_NIST_P256");
    assert.equal(key.id, "slot-a");
    assert.deepEqual(
      heard.map((e) => e.code),
      ["ERR_KEY_MANAGER"],
    );
    assert.match(heard[0]!.message, /^keymanager: KMS ScheduleKeyDeletion for key slot-a failed/);
  });

  for (const spec of ["ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048", "RSA_3072"] as const) {
    it(`${spec} signs with ${ALGORITHMS[spec]}: RAW up to 4096 bytes, DIGEST of the local hash above`, async () => {
      const key = await manager().generateKey("slot-a", spec);
      const { hash } = signatureAlgorithmFor(spec);
      for (const size of [1, 4096, 4097, 5000]) {
        const data = randomBytes(size);
        fake.expectMessage(data, hash);
        kmsMock.resetHistory();
        const signature = await key.sign(data);
        const input = kmsMock.commandCalls(SignCommand)[0]!.args[0].input;
        const raw = size <= 4096;
        assert.equal(input.KeyId, fake.aliases.get(`${PREFIX}slot-a`));
        assert.equal(input.SigningAlgorithm, ALGORITHMS[spec]);
        assert.equal(input.MessageType, raw ? "RAW" : "DIGEST");
        assert.deepEqual(Buffer.from(input.Message!), raw ? Buffer.from(data) : createHash(hash).update(data).digest());
        assert.ok(verifies(spec, key.publicKey, data, signature), `${size} bytes`);
      }
    });
  }

  it("signs an empty message as a DIGEST (KMS refuses an empty RAW message)", async () => {
    const key = await manager().generateKey("slot-a", "ECC_NIST_P256");
    const empty = new Uint8Array(0);
    fake.expectMessage(empty, "sha256");
    const signature = await key.sign(empty);
    assert.equal(kmsMock.commandCalls(SignCommand)[0]!.args[0].input.MessageType, "DIGEST");
    assert.ok(verifies("ECC_NIST_P256", key.publicKey, empty, signature));
  });
});

describe("KmsKeyManager retries (the SDK's retry strategy, as createKmsClient configures it)", () => {
  const throttled = () => awsError("ThrottlingException");

  it("retries a throttled call, then succeeds", async () => {
    const key = await manager({}, { backoff: { baseMs: 100, maxMs: 250, jitter: "equal" } }).generateKey("slot-a", "ECC_NIST_P256");
    kmsMock.resetHistory();
    fake.fail("Sign", throttled(), throttled(), throttled());
    const data = randomBytes(20);
    const signature = await key.sign(data);
    assert.ok(verifies("ECC_NIST_P256", key.publicKey, data, signature));
    assert.equal(kmsMock.commandCalls(SignCommand).length, 4);
  });

  it("waits a growing, jittered, bounded backoff before each retry", async () => {
    const key = await manager({}, { backoff: { baseMs: 100, maxMs: 250, jitter: "equal" } }).generateKey("slot-a", "ECC_NIST_P256");
    const error = throttled();
    fake.fail("Sign", error, error, error, error);
    await assert.rejects(key.sign(randomBytes(20)), { code: "ERR_KMS_THROTTLED" });
    // The SDK's own account of the waits it chose: equal jitter of 100, 200 and 250 (capped) ms.
    const { attempts, totalRetryDelay } = retryLog(error);
    assert.equal(attempts, 4);
    assert.ok(totalRetryDelay! >= 50 + 100 + 125 && totalRetryDelay! <= 100 + 200 + 250, `waited ${totalRetryDelay} ms in all`);
  });

  for (const error of [
    awsError("ThrottlingException"),
    awsError("KMSInternalException", "internal", 500),
    awsError("LimitExceededException"),
    awsError("DependencyTimeoutException", "timeout", 503),
    Object.assign(new Error("request timed out"), { name: "TimeoutError" }),
    Object.assign(new Error("socket timed out"), { code: "ETIMEDOUT" }),
    Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
  ]) {
    const label = (error as { code?: string }).code ?? error.name;
    it(`gives up after 4 tries of ${label} with ERR_KMS_THROTTLED`, async () => {
      const key = await manager().generateKey("slot-a", "ECC_NIST_P256");
      kmsMock.resetHistory();
      fake.fail("Sign", error, error, error, error, error);
      await assert.rejects(key.sign(Buffer.from("x")), (err: TesseraError) => {
        assert.equal(err.code, "ERR_KMS_THROTTLED");
        assert.equal(err.cause, error);
        assert.match(err.message, /^keymanager: KMS Sign for key slot-a still failing after 4 tries/);
        return true;
      });
      assert.equal(kmsMock.commandCalls(SignCommand).length, 4);
      assert.ok(retryLog(error).totalRetryDelay! > 0);
    });
  }

  it("honours a configured number of tries", async () => {
    const km = manager({}, { maxAttempts: 2 });
    fake.fail("ListAliases", throttled(), throttled());
    await assert.rejects(km.listKeys(), { code: "ERR_KMS_THROTTLED" });
    assert.equal(kmsMock.commandCalls(ListAliasesCommand).length, 2);
  });

  it("does not retry other failures: ERR_KEY_MANAGER with the cause, and no data in the message", async () => {
    const key = await manager().generateKey("slot-a", "ECC_NIST_P256");
    kmsMock.resetHistory();
    const denied = awsError("AccessDeniedException", "User is not authorized to perform kms:Sign");
    fake.fail("Sign", denied);
    const data = Buffer.from("CONFIDENTIAL-TO-BE-SIGNED");
    await assert.rejects(key.sign(data), (err: TesseraError) => {
      assert.equal(err.code, "ERR_KEY_MANAGER");
      assert.equal(err.cause, denied);
      assert.equal(err.message, "keymanager: KMS Sign for key slot-a failed (AccessDeniedException)");
      assert.ok(!JSON.stringify({ ...err, message: err.message, stack: err.stack }).includes("CONFIDENTIAL"));
      assert.ok(!err.message.includes(data.toString("hex")) && !err.message.includes(data.toString("base64")));
      return true;
    });
    assert.equal(kmsMock.commandCalls(SignCommand).length, 1);
    assert.equal(retryLog(denied).totalRetryDelay, 0);
  });
});

describe("KmsKeyManager keys", () => {
  it("caches a loaded key per instance until the cache TTL passes", async () => {
    await manager().generateKey("slot-a", "ECC_NIST_P256");
    const km = manager({ cacheTtlMs: 60_000 });
    kmsMock.resetHistory();
    const first = await km.getKey("slot-a");
    assert.equal(await km.getKey("slot-a"), first);
    assert.equal(kmsMock.commandCalls(DescribeKeyCommand).length, 1);
    assert.equal(kmsMock.commandCalls(GetPublicKeyCommand).length, 1);
    clock.advance(60_000);
    await km.getKey("slot-a");
    assert.equal(kmsMock.commandCalls(DescribeKeyCommand).length, 2);
  });

  it("a key deleted behind the cache: Sign says ERR_KEY_NOT_FOUND, and getKey asks KMS again", async () => {
    const km = manager();
    const key = await km.generateKey("slot-a", "ECC_NIST_P256");
    const arn = fake.aliases.get(`${PREFIX}slot-a`)!;
    fake.keys.delete(arn);
    fake.aliases.delete(`${PREFIX}slot-a`);
    await assert.rejects(key.sign(Buffer.from("x")), { code: "ERR_KEY_NOT_FOUND" });
    kmsMock.resetHistory();
    await assert.rejects(km.getKey("slot-a"), { code: "ERR_KEY_NOT_FOUND" });
    assert.equal(kmsMock.commandCalls(DescribeKeyCommand).length, 1);
  });

  it("an alias on a key that is not Enabled is ERR_KEY_NOT_FOUND and left out of listKeys", async () => {
    await manager().generateKey("slot-a", "ECC_NIST_P256");
    await manager().generateKey("slot-b", "ECC_NIST_P256");
    fake.key(`${PREFIX}slot-a`).state = "PendingDeletion";
    fake.key(`${PREFIX}slot-b`).state = "Disabled";
    const km = manager();
    await assert.rejects(km.getKey("slot-a"), (err: TesseraError) => {
      assert.equal(err.code, "ERR_KEY_NOT_FOUND");
      assert.equal(err.message, "keymanager: key slot-a is PendingDeletion in KMS");
      return true;
    });
    await assert.rejects(km.getKey("slot-b"), { code: "ERR_KEY_NOT_FOUND" });
    assert.deepEqual(await km.listKeys(), []);
  });

  it("a key that is not a signing key of a known spec is ERR_KEY_UNSUPPORTED", async () => {
    await manager().generateKey("slot-a", "ECC_NIST_P256");
    fake.key(`${PREFIX}slot-a`).usage = "ENCRYPT_DECRYPT";
    await assert.rejects(manager().getKey("slot-a"), { code: "ERR_KEY_UNSUPPORTED" });
    await assert.rejects(manager().listKeys(), { code: "ERR_KEY_UNSUPPORTED" });
  });

  it("a public key that does not match the described spec is ERR_KEY_MANAGER", async () => {
    await manager().generateKey("slot-a", "ECC_NIST_P256");
    fake.key(`${PREFIX}slot-a`).privateKey = generate("ECC_NIST_P384");
    await assert.rejects(manager().getKey("slot-a"), (err: TesseraError) => {
      assert.equal(err.code, "ERR_KEY_MANAGER");
      assert.match(err.message, /returned a key that is not ECC_NIST_P256/);
      return true;
    });
    kmsMock.on(GetPublicKeyCommand).resolves({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", PublicKey: randomBytes(91) });
    await assert.rejects(manager().getKey("slot-a"), { code: "ERR_KEY_MANAGER" });
    kmsMock.on(GetPublicKeyCommand).resolves({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY", PublicKey: new Uint8Array() });
    await assert.rejects(manager().getKey("slot-a"), { code: "ERR_KEY_MANAGER" });
  });

  it("listKeys pages through ListAliases and keeps only valid ids under the prefix", async () => {
    const km = manager();
    await km.generateKey("slot-b", "ECC_NIST_P256");
    await km.generateKey("slot-a", "RSA_2048");
    await manager({ aliasPrefix: "alias/tessera/other-org/" }).generateKey("slot-c", "ECC_NIST_P256");
    fake.aliases.set(`${PREFIX}Not_An_Id`, fake.aliases.get(`${PREFIX}slot-a`)!);
    fake.aliases.set(`${PREFIX}nested/slot-d`, fake.aliases.get(`${PREFIX}slot-a`)!);
    kmsMock.resetHistory();
    const listed = await manager().listKeys();
    assert.deepEqual(
      listed.map((k) => [k.id, k.spec]),
      [
        ["slot-a", "RSA_2048"],
        ["slot-b", "ECC_NIST_P256"],
      ],
    );
    const markers = kmsMock.commandCalls(ListAliasesCommand).map((c) => c.args[0].input.Marker);
    assert.deepEqual(markers, [undefined, "2", "4"]);
  });

  it("a KMS ECDSA signature converts to JOSE that node verifies", async () => {
    const key = await manager().generateKey("jwt-a", "ECC_NIST_P256");
    const data = randomBytes(300);
    const jose = ecdsaDerToJose(await key.sign(data), 32);
    assert.ok(verify("sha256", data, { key: key.publicKey, dsaEncoding: "ieee-p1363" }, jose));
  });
});

describe("KmsKeyManager options", () => {
  const client = new KMSClient({ region: "us-east-1" });
  const bad: [string, Partial<KmsKeyManagerOptions>][] = [
    ["no alias/ prefix", { aliasPrefix: "tessera/" }],
    ["no trailing slash", { aliasPrefix: "alias/tessera" }],
    ["an AWS-reserved prefix", { aliasPrefix: "alias/aws/tessera/" }],
    ["a character KMS refuses", { aliasPrefix: "alias/tessera.org/" }],
    ["a prefix too long for 63-byte ids", { aliasPrefix: `alias/${"p".repeat(187)}/` }],
    ["a window under 7 days", { pendingWindowDays: 6 }],
    ["a window over 30 days", { pendingWindowDays: 31 }],
    ["a fractional window", { pendingWindowDays: 7.5 }],
    ["the reserved tag", { tags: { "tessera:key-id": "x" } }],
    ["an aws: tag", { tags: { "aws:owner": "x" } }],
    ["a negative cache TTL", { cacheTtlMs: -1 }],
  ];
  for (const [name, options] of bad) {
    it(`refuses ${name} with TypeError`, () => {
      assert.throws(() => new KmsKeyManager({ client, aliasPrefix: PREFIX, ...options }), TypeError);
    });
  }

  it("refuses zero tries of the client with TypeError", () => {
    assert.throws(() => createKmsClient({ retry: { maxAttempts: 0 } }), TypeError);
  });

  it("accepts the edges", () => {
    for (const pendingWindowDays of [7, 30]) new KmsKeyManager({ client, aliasPrefix: PREFIX, pendingWindowDays });
    new KmsKeyManager({ client, aliasPrefix: `alias/${"p".repeat(186)}/` });
  });
});
