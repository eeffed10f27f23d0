// Reads a table's DynamoDB stream from the emulator (DescribeStream, GetShardIterator, GetRecords),
// so a test hands a Lambda handler the records the stream really holds. The SDK's Streams client is
// not a dependency: the three JSON calls are signed with Tessera's own SigV4 signer.
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { signRequestSigV4 } from "#tessera/aws-workload";

/** One stream record as Lambda delivers it (`eventSourceARN` added, as the event source mapping does). */
export interface StreamRecord {
  eventName: string;
  eventSource: string;
  eventSourceARN: string;
  dynamodb: { Keys: Record<string, { S?: string }>; SequenceNumber: string };
}

/** Reads the records written since the last read, across the stream's shards. */
export interface TableStreamReader {
  /** The records written since the previous call (since the reader started, the first time). */
  read(): Promise<StreamRecord[]>;
  /** The partition key of each record of `records`. */
  partitions(records: readonly StreamRecord[]): string[];
}

const REGION = process.env.AWS_REGION ?? "us-east-1";
const ENDPOINT =
  process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS ?? process.env.AWS_ENDPOINT_URL ?? `https://streams.dynamodb.${REGION}.amazonaws.com`;

async function streamsCall<T>(operation: string, input: object): Promise<T> {
  const url = new URL(ENDPOINT);
  const body = JSON.stringify(input);
  const headers = {
    "content-type": "application/x-amz-json-1.0",
    "x-amz-target": `DynamoDBStreams_20120810.${operation}`,
  };
  const signed = await signRequestSigV4({ method: "POST", url: url.toString(), headers, body }, { region: REGION, service: "dynamodb" });
  const res = await fetch(url, { method: "POST", headers: signed, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`table-stream: ${operation} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Start reading `tableName`'s stream from its beginning (TRIM_HORIZON); the table must have one. */
export async function openTableStream(client: DynamoDBClient, tableName: string): Promise<TableStreamReader> {
  const streamArn = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table-stream: ${tableName} has no stream`);
  const iterators = new Map<string, string | undefined>();
  const read = async (): Promise<StreamRecord[]> => {
    const { StreamDescription } = await streamsCall<{ StreamDescription: { Shards: { ShardId: string }[] } }>("DescribeStream", {
      StreamArn: streamArn,
    });
    const records: StreamRecord[] = [];
    for (const { ShardId } of StreamDescription.Shards) {
      if (!iterators.has(ShardId)) {
        const start = { StreamArn: streamArn, ShardId, ShardIteratorType: "TRIM_HORIZON" };
        iterators.set(ShardId, (await streamsCall<{ ShardIterator: string }>("GetShardIterator", start)).ShardIterator);
      }
      for (let iterator = iterators.get(ShardId); iterator;) {
        const page = await streamsCall<{ Records: Omit<StreamRecord, "eventSourceARN">[]; NextShardIterator?: string }>("GetRecords", {
          ShardIterator: iterator,
        });
        records.push(...page.Records.map((record) => ({ ...record, eventSourceARN: streamArn })));
        iterators.set(ShardId, page.NextShardIterator);
        iterator = page.Records.length > 0 ? page.NextShardIterator : undefined;
      }
    }
    return records;
  };
  return { read, partitions: (records) => records.map((r) => r.dynamodb.Keys.pk?.S ?? "") };
}
