import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createDynamoDbDocumentClient, createKmsClient, createRolesAnywhereClient, createS3Client } from "./clients.js";

async function retryOf(config: { maxAttempts: () => Promise<number>; retryStrategy: () => Promise<unknown> }) {
  return { attempts: await config.maxAttempts(), mode: ((await config.retryStrategy()) as { mode?: string }).mode };
}

describe("the AWS clients' retry configuration", () => {
  it("KMS tries 4 times, DynamoDB and S3 3 times, with the SDK's standard strategy", async () => {
    assert.deepEqual(await retryOf(createKmsClient().config), { attempts: 4, mode: "standard" });
    assert.deepEqual(await retryOf(createDynamoDbDocumentClient().config), { attempts: 3, mode: "standard" });
    assert.deepEqual(await retryOf(createS3Client().config), { attempts: 3, mode: "standard" });
  });

  it("takes the mode and the number of tries from the options", async () => {
    assert.deepEqual(await retryOf(createKmsClient({ retry: { mode: "adaptive", maxAttempts: 6 } }).config), {
      attempts: 6,
      mode: "adaptive",
    });
    assert.deepEqual(await retryOf(createS3Client({ retry: { maxAttempts: 1 } }).config), { attempts: 1, mode: "standard" });
  });

  it("Roles Anywhere does not retry: its callers pace and retry it", async () => {
    assert.equal(await createRolesAnywhereClient({ retry: { maxAttempts: 5 } }).config.maxAttempts(), 1);
  });

  for (const maxAttempts of [0, 1.5, -1]) {
    it(`refuses ${maxAttempts} tries with TypeError`, () => {
      assert.throws(() => createDynamoDbDocumentClient({ retry: { maxAttempts } }), TypeError);
    });
  }
});
