import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { defaultProvider } from "./default-credential-provider.js";
import { decorateDefaultCredentialProvider } from "./sts-credential-decorator.js";

const NAMES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"] as const;
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));

describe("the Lambda bundle's credential provider", () => {
  afterEach(() => {
    for (const name of NAMES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it("resolves the credentials the Lambda runtime puts in the environment", async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "ASIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token" });
    const credentials = await decorateDefaultCredentialProvider(defaultProvider)({})();
    assert.equal(credentials.accessKeyId, "ASIAEXAMPLE");
    assert.equal(credentials.secretAccessKey, "secret");
    assert.equal(credentials.sessionToken, "token");
  });

  it("fails, as the SDK's chain would end, when the environment holds none", async () => {
    for (const name of NAMES) delete process.env[name];
    await assert.rejects(defaultProvider()(), /Unable to find environment variable credentials/);
  });
});
