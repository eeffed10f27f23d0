// The JoinVerifier conformance suite with its replay state in DynamoDbStore on the AWS endpoint
// (moto in tests): a used proof is refused by a verifier instance that never saw it.
import { after } from "node:test";
import { DeleteTableCommand, DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { makeAwsEc2Fixture, makeGcpFixture, makeOidcFixture, runJoinVerifierConformance } from "#tessera/test-support";
import { DynamoDbStore } from "#tessera/aws";
import { createTesseraTable } from "../support/tessera-table.js";

const client = new DynamoDBClient({});
const documents = DynamoDBDocumentClient.from(client);
const tables: string[] = [];

async function dynamoDbStore(): Promise<DynamoDbStore> {
  const tableName = await createTesseraTable(client, "tessera-join");
  tables.push(tableName);
  await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: tableName });
  return new DynamoDbStore({ client: documents, tableName });
}

after(async () => {
  await Promise.allSettled(tables.map((TableName) => client.send(new DeleteTableCommand({ TableName }))));
  client.destroy();
});

runJoinVerifierConformance("OidcVerifier on DynamoDbStore", dynamoDbStore, makeOidcFixture);
runJoinVerifierConformance("GcpVerifier on DynamoDbStore", dynamoDbStore, makeGcpFixture);
runJoinVerifierConformance("AwsEc2Verifier on DynamoDbStore", dynamoDbStore, makeAwsEc2Fixture);
