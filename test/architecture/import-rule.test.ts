// The import rule of eslint.config.js (docs/architecture.md): each case is a file that would break
// the layering, linted with the project's own configuration; removing a restriction fails its case.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ESLint } from "eslint";

const eslint = new ESLint({ overrideConfig: { rules: { "@typescript-eslint/no-unused-vars": "off" } } });

async function restrictedImports(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").length;
}

describe("the library's import rule", () => {
  // [what, file, import, refused]
  const cases: [string, string, string, boolean][] = [
    [
      "a function importing the old barrel",
      "functions/join/handler.ts",
      'import { loadConfig } from "../../layers/spiffe/src/index.js";',
      true,
    ],
    [
      "infra deep-importing a module",
      "infra/lib/stack.ts",
      'import { TABLE_KEY_SCHEMA } from "../../layers/spiffe/src/store/dynamodb/index.js";',
      true,
    ],
    [
      "a test deep-importing a fixture",
      "test/issuer/x.test.ts",
      'import { LocalIssuer } from "../../layers/spiffe/src/attestation/test/local-issuer.js";',
      true,
    ],
    ["an entry file by its path", "cli/main.ts", 'import { SpiffeId } from "../layers/spiffe/core.js";', true],
    ["the agent importing the issuer", "agent/run-agent.ts", 'import { loadConfig } from "#tessera/issuer";', true],
    ["the agent importing the AWS adapters", "agent/outputs/x.ts", 'import { createKmsClient } from "#tessera/aws";', true],
    [
      "a relying-party example importing the issuer",
      "examples/agentless-lambda/handler.ts",
      'import { loadConfig } from "#tessera/issuer";',
      true,
    ],
    ["a Lambda function importing the local wiring", "functions/issue/handler.ts", 'import { buildRuntime } from "#tessera/dev";', true],
    ["the agent importing the local wiring", "agent/run-agent.ts", 'import { buildRuntime } from "#tessera/dev";', true],
    ["the dev server importing the local wiring", "cli/dev/run-dev.ts", 'import { buildRuntime } from "#tessera/dev";', false],
    ["a library module importing an entry point", "layers/spiffe/src/ca/x.ts", 'import { SpiffeId } from "#tessera/core";', true],
    ["production code importing test support", "functions/admin/routes.ts", 'import { LocalIssuer } from "#tessera/test-support";', true],
    ["an entry point importing test support", "layers/spiffe/core.ts", 'import { x509 } from "#tessera/test-support-x509";', true],
    [
      "a function importing the issuer and the AWS adapters",
      "functions/join/handler.ts",
      'import { loadConfig } from "#tessera/issuer";\nimport { buildFunctionRuntime } from "#tessera/aws";',
      false,
    ],
    [
      "the agent importing core, contract and AWS-for-workloads",
      "agent/run-agent.ts",
      'import { SpiffeId } from "#tessera/core";\nimport { IssuerApiError } from "#tessera/contract";\nimport { createAwsIamProof } from "#tessera/aws-workload";',
      false,
    ],
    ["an agent test importing the issuer", "agent/run-agent.test.ts", 'import { loadConfig } from "#tessera/issuer";', false],
    ["a test importing test support", "test/issuer/x.test.ts", 'import { LocalIssuer } from "#tessera/test-support";', false],
    ["a library module importing another module", "layers/spiffe/src/ca/x.ts", 'import { SpiffeId } from "../spiffeid/index.js";', false],
  ];
  for (const [what, file, code, refused] of cases) {
    it(`${refused ? "refuses" : "allows"} ${what}`, async () => assert.equal(await restrictedImports(file, code), refused ? 1 : 0));
  }
});
