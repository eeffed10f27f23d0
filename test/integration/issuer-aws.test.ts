import { randomBytes } from "node:crypto";
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { TABLE_ATTRIBUTE_DEFINITIONS, GLOBAL_SECONDARY_INDEXES, TABLE_KEY_SCHEMA } from "../../layers/spiffe/src/index.js";
import { runIssuerSuite } from "../issuer/issuer-suite.js";
import { startIssuer } from "../support/issuer-harness.js";

runIssuerSuite("DynamoDB and KMS on the AWS endpoint", async () => {
  const run = randomBytes(4).toString("hex");
  const tableName = `tessera-issuer-${run}`;
  const ddb = new DynamoDBClient({});
  await ddb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: TABLE_KEY_SCHEMA.map((k) => ({ ...k })),
      AttributeDefinitions: TABLE_ATTRIBUTE_DEFINITIONS.map((a) => ({ ...a })),
      GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema.map((k) => ({ ...k })), Projection: { ...i.Projection } })),
    }),
  );
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
