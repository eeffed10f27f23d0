import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { randomBytes } from "node:crypto";
import { GLOBAL_SECONDARY_INDEXES, TABLE_ATTRIBUTE_DEFINITIONS, TABLE_KEY_SCHEMA } from "#tessera/aws";

/**
 * Create a Tessera table named `<prefix>-<random>` on the emulator; returns its name. `stream`: with the
 * keys-only stream the stateful stack gives it (the rotate function publishes from it).
 */
export async function createTesseraTable(client: DynamoDBClient, prefix: string, options: { stream?: boolean } = {}): Promise<string> {
  const tableName = `${prefix}-${randomBytes(4).toString("hex")}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: TABLE_KEY_SCHEMA.map((k) => ({ ...k })),
      AttributeDefinitions: TABLE_ATTRIBUTE_DEFINITIONS.map((a) => ({ ...a })),
      GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((i) => ({
        IndexName: i.IndexName,
        KeySchema: i.KeySchema.map((k) => ({ ...k })),
        Projection: { ...i.Projection },
      })),
      ...(options.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } } : {}),
    }),
  );
  return tableName;
}
