import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { sdkRetryConfig, type AwsRetryOptions } from "./retry-strategy.js";

/**
 * Options shared by every AWS client Tessera makes. Region and credentials come from the SDK's own
 * chain (AWS_REGION, profiles, the Lambda role). The endpoint is passed explicitly, from
 * `TesseraConfig.awsEndpoints`: not every client's SDK core honours AWS_ENDPOINT_URL (Roles Anywhere
 * 3.332 does not), and a client that silently falls back to AWS would reach a real account from a
 * deployment pointed at an emulator.
 *
 * Retries are the SDK's own (`retry`, configured here for every client): throttling, 5xx and
 * network failures are tried again with backoff before the call fails.
 */
export interface AwsClientOptions {
  region?: string | undefined;
  endpoint?: string | undefined;
  /** Credentials instead of the SDK's chain (a caller holding its own; tests). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  retry?: AwsRetryOptions;
}

function base(options: AwsClientOptions): Pick<AwsClientOptions, "region" | "endpoint" | "credentials"> {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

/** A KMS client; 4 tries by default, since a throttled Sign fails an SVID request. */
export function createKmsClient(options: AwsClientOptions = {}): KMSClient {
  return new KMSClient({ ...base(options), ...sdkRetryConfig(options.retry ?? {}, 4) });
}

/** A DynamoDB document client that drops undefined attributes; 3 tries by default. */
export function createDynamoDbDocumentClient(options: AwsClientOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...base(options), ...sdkRetryConfig(options.retry ?? {}, 3) }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Options of `createS3Client`. */
export interface S3ClientOptions extends AwsClientOptions {
  /** Address buckets by path (`endpoint/bucket/key`), as local emulators need. Default false. */
  forcePathStyle?: boolean;
}

/** An S3 client; 3 tries by default. */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  return new S3Client({
    ...base(options),
    ...sdkRetryConfig(options.retry ?? {}, 3),
    ...(options.forcePathStyle ? { forcePathStyle: true } : {}),
  });
}

/**
 * An IAM Roles Anywhere client. It does not retry on its own (`retry` is ignored): its callers pace
 * their calls to the control plane's one call a second and retry throttling themselves.
 */
export function createRolesAnywhereClient(options: AwsClientOptions = {}): RolesAnywhereClient {
  return new RolesAnywhereClient({ ...base(options), maxAttempts: 1 });
}

/**
 * `make()`'s client, made by the first `send`, for a process that may never call that service: a
 * Lambda cold start builds only the clients its requests use (building one resolves its whole
 * configuration, a few milliseconds each). Every later `send` goes to the same client.
 */
export function deferClient<C extends { send(...args: never[]): unknown }>(make: () => C): Pick<C, "send"> {
  let client: C | undefined;
  const send = (...args: never[]): unknown => {
    try {
      client ??= make();
    } catch (err) {
      return Promise.reject(err);
    }
    return client.send(...args);
  };
  return { send } as Pick<C, "send">;
}
