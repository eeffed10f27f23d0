import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAgentConfig } from "../../agent/config/index.js";

const configWith = (onboarding: string) =>
  parseAgentConfig(
    `version: v1
issuer: https://tessera.example.org
trust_domain: example.org
onboarding: ${onboarding}
services:
  - { type: workload-identity-x509, spiffe_id: spiffe://example.org/x, destination: ./out }
`,
    { baseDir: "/etc/tessera" },
  );

describe("agent onboarding with a platform token", () => {
  it("reads join_method oidc or gcp with bot_name and token_file, resolved against the config's directory", () => {
    assert.deepEqual(configWith("{ join_method: oidc, bot_name: ci, token_file: run/token }").onboarding, {
      joinMethod: "oidc",
      botName: "ci",
      tokenPath: "/etc/tessera/run/token",
    });
    assert.deepEqual(configWith("{ join_method: gcp, bot_name: vm, token_file: /var/run/gce-token }").onboarding, {
      joinMethod: "gcp",
      botName: "vm",
      tokenPath: "/var/run/gce-token",
    });
  });
  it("reads a gcp join without token_file from the metadata server, for token_audience or spiffe://<trust_domain>", () => {
    assert.deepEqual(configWith("{ join_method: gcp, bot_name: vm }").onboarding, {
      joinMethod: "gcp",
      botName: "vm",
      tokenAudience: "spiffe://example.org",
    });
    assert.deepEqual(
      configWith('{ join_method: gcp, bot_name: vm, metadata_endpoint: "http://127.0.0.1:9", token_audience: tessera }').onboarding,
      {
        joinMethod: "gcp",
        botName: "vm",
        tokenAudience: "tessera",
        metadataEndpoint: "http://127.0.0.1:9",
      },
    );
    for (const bad of [
      "{ join_method: gcp, bot_name: vm, token_file: t, metadata_endpoint: http://127.0.0.1:9 }",
      "{ join_method: gcp, bot_name: vm, token_file: t, token_audience: x }",
      "{ join_method: oidc, bot_name: ci, token_file: t, token_audience: x }",
      '{ join_method: gcp, bot_name: vm, metadata_endpoint: "file:///etc" }',
    ]) {
      assert.throws(() => configWith(bad), /onboarding\.(metadata_endpoint|token_audience)/, bad);
    }
  });
  it("refuses a platform join without bot_name or token_file, with a join token, or an unknown method", () => {
    for (const bad of [
      "{ join_method: oidc, token_file: t }",
      "{ join_method: oidc, bot_name: ci }",
      `{ join_method: oidc, bot_name: ci, token_file: t, token: ${"A".repeat(43)} }`,
      "{ join_method: aws_iam, bot_name: ci, token_file: t }",
    ]) {
      assert.throws(() => configWith(bad), /onboarding/, bad);
    }
  });
});
