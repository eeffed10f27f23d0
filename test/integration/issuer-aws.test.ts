import { randomBytes } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { runIssuerSuite } from "../issuer/issuer-suite.js";
import { startIssuer } from "../support/issuer-harness.js";
import { createTesseraTable } from "../support/tessera-table.js";

runIssuerSuite("DynamoDB and KMS on the AWS endpoint", async () => {
  const run = randomBytes(4).toString("hex");
  const ddb = new DynamoDBClient({});
  const tableName = await createTesseraTable(ddb, "tessera-issuer");
  const h = await startIssuer({
    TESSERA_STORE: "dynamodb",
    TESSERA_TABLE_NAME: tableName,
    TESSERA_KEY_MANAGER: "kms",
    TESSERA_KMS_ALIAS_PREFIX: `alias/tessera-test/${run}/`,
  });
  return {
    ...h,
    close: async () => {
      await h.close();
      await ddb.send(new DeleteTableCommand({ TableName: tableName }));
      ddb.destroy();
    },
  };
});
