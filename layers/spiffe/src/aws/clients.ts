import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * Options shared by every AWS client Tessera makes. Region and credentials come from the SDK's own
 * chain (AWS_REGION, profiles, the Lambda role). The endpoint is passed explicitly, from
 * `TesseraConfig.awsEndpoints`: not every client's SDK core honours AWS_ENDPOINT_URL (Roles Anywhere
 * 3.332 does not), and a client that silently falls back to AWS would reach a real account from a
 * deployment pointed at an emulator.
 */
export interface AwsClientOptions {
  region?: string | undefined;
  endpoint?: string | undefined;
}

function base(options: AwsClientOptions): { region?: string; endpoint?: string } {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
}

/** A KMS client. */
export function createKmsClient(options: AwsClientOptions = {}): KMSClient {
  return new KMSClient({ ...base(options), maxAttempts: 1 });
}

/** A DynamoDB document client that drops undefined attributes. */
export function createDynamoDbDocumentClient(options: AwsClientOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(base(options)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Options of `createS3Client`. */
export interface S3ClientOptions extends AwsClientOptions {
  /** Address buckets by path (`endpoint/bucket/key`), as local emulators need. Default false. */
  forcePathStyle?: boolean;
}

/** An S3 client. */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  return new S3Client({ ...base(options), ...(options.forcePathStyle ? { forcePathStyle: true } : {}) });
}

/**
 * An IAM Roles Anywhere client. It does not retry on its own: its callers pace their calls to the
 * control plane's one call a second and retry throttling themselves.
 */
export function createRolesAnywhereClient(options: AwsClientOptions = {}): RolesAnywhereClient {
  return new RolesAnywhereClient({ ...base(options), maxAttempts: 1 });
}
