import { randomBytes } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { RuntimeOverrides } from "#tessera/dev";
import { startIssuer, type IssuerHarness } from "./issuer-harness.js";
import { createTesseraTable } from "./tessera-table.js";

/**
 * Start the issuer on DynamoDB (a fresh table) and KMS at the AWS endpoint, with `env` added and
 * `overrides` (a key manager on a client of the test's own) taken; closing drops the table.
 */
export async function startAwsIssuer(env: Record<string, string> = {}, overrides: RuntimeOverrides = {}): Promise<IssuerHarness> {
  const run = randomBytes(4).toString("hex");
  const ddb = new DynamoDBClient({});
  const tableName = await createTesseraTable(ddb, "tessera-issuer");
  const h = await startIssuer(
    {
      TESSERA_STORE: "dynamodb",
      TESSERA_TABLE_NAME: tableName,
      TESSERA_KEY_MANAGER: "kms",
      TESSERA_KMS_ALIAS_PREFIX: `alias/tessera-test/${run}/`,
      ...env,
    },
    overrides,
  );
  return {
    ...h,
    close: async () => {
      await h.close();
      await ddb.send(new DeleteTableCommand({ TableName: tableName }));
      ddb.destroy();
    },
  };
}
