import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createJoinVerifiers } from "../attestation/index.js";
import { loadConfig } from "../config/index.js";
import { ConfigError } from "../errors.js";
import { KmsKeyManager } from "../keymanager/kms/index.js";
import type { CrlPublisher } from "../revocation/index.js";
import { DynamoDbStore } from "../store/dynamodb/index.js";
import { buildFunctionRuntime } from "./build-function-runtime.js";
import { openKeys } from "./open-keys.js";

const env = { TESSERA_TRUST_DOMAIN: "example.org", TESSERA_TABLE_NAME: "tessera", AWS_REGION: "us-east-1" };

describe("buildFunctionRuntime", () => {
  it("opens the DynamoDB store and only the parts the function names", async () => {
    const runtime = buildFunctionRuntime(loadConfig(env));
    assert.ok(runtime.store instanceof DynamoDbStore);
    assert.deepEqual(runtime.revocation.crlPublishers, []);
    assert.equal(runtime.issuer.verifiers, undefined);
    assert.equal(runtime.admin.verifiers, undefined);
    await runtime.close();
  });

  it("hands the named verifiers and CRL publishers to the use cases, made with the runtime's clock", async () => {
    const config = loadConfig(env);
    const publisher: CrlPublisher = { name: "test", publishCrls: async () => ({ changed: false }) };
    const runtime = buildFunctionRuntime(config, {
      crlPublishers: [publisher],
      verifiers: (clock) => {
        assert.equal(typeof clock.now, "function");
        return createJoinVerifiers({ clock, ...config.join });
      },
    });
    assert.deepEqual(Object.keys(runtime.issuer.verifiers ?? {}).sort(), ["aws_ec2", "aws_iam", "gcp", "oidc"]);
    assert.equal(runtime.admin.verifiers, runtime.issuer.verifiers);
    assert.deepEqual(runtime.revocation.crlPublishers, [publisher]);
    await runtime.close();
  });

  it("opens no keys unless the function names them: every key call fails with a ConfigError", async () => {
    const runtime = buildFunctionRuntime(loadConfig(env));
    const refused = (err: unknown) => err instanceof ConfigError && /opens no keys/.test(err.message);
    await assert.rejects(runtime.keys.getKey("x509-ca-a"), refused);
    await assert.rejects(runtime.keys.generateKey("x509-ca-a", "ECC_NIST_P256"), refused);
    await assert.rejects(runtime.keys.listKeys(), refused);
    await assert.rejects(runtime.keys.retireKey("x509-ca-a"), refused);
    await runtime.close();
  });

  it("opens the configured key manager when the function names openKeys", async () => {
    const runtime = buildFunctionRuntime(loadConfig(env), { keys: openKeys });
    assert.ok(runtime.keys instanceof KmsKeyManager);
    await runtime.close();
  });

  it("refuses a configuration that keeps records anywhere but DynamoDB", () => {
    const config = loadConfig({ ...env, TESSERA_STORE: "embedded", TESSERA_DATA_DIR: "/nonexistent" });
    assert.throws(
      () => buildFunctionRuntime(config),
      (err: unknown) => err instanceof ConfigError && /TESSERA_STORE=dynamodb/.test(err.message),
    );
  });
});
