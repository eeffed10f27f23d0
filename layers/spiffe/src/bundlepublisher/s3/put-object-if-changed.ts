import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { awsErrorName, awsHttpStatus, describeAwsError } from "../../aws/aws-error.js";
import { BundlePublishError } from "../errors.js";

/** The one SDK call the S3 publishers need: an `S3Client`, or a fake in tests. */
export type S3Api = Pick<S3Client, "send">;

/** Object metadata holding the SHA-256 of the body, so an unchanged object is not written again. */
export const BUNDLE_HASH_METADATA = "tessera-sha256";

/** One object to publish. */
export interface PublishedObject {
  key: string;
  body: string | Uint8Array;
  contentType: string;
}

/** Where the objects go. */
export interface S3Destination {
  client: S3Api;
  bucket: string;
  cacheControl: string;
}

function isMissing(err: unknown): boolean {
  return awsErrorName(err) === "NotFound" || awsErrorName(err) === "NoSuchKey" || awsHttpStatus(err) === 404;
}

function failure(to: S3Destination, operation: string, key: string, err: unknown): BundlePublishError {
  return new BundlePublishError(`bundlepublisher: S3 ${operation} of s3://${to.bucket}/${key} failed (${describeAwsError(err)})`, {
    cause: err,
  });
}

async function storedHash(to: S3Destination, key: string): Promise<string | undefined> {
  try {
    const head = await to.client.send(new HeadObjectCommand({ Bucket: to.bucket, Key: key }));
    return head.Metadata?.[BUNDLE_HASH_METADATA];
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw failure(to, "HeadObject", key, err);
  }
}

/** Write the object unless the stored one carries the same body hash; true when it was written. */
export async function putObjectIfChanged(to: S3Destination, object: PublishedObject): Promise<boolean> {
  const hash = createHash("sha256").update(object.body).digest("hex");
  if ((await storedHash(to, object.key)) === hash) return false;
  try {
    await to.client.send(
      new PutObjectCommand({
        Bucket: to.bucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
        CacheControl: to.cacheControl,
        Metadata: { [BUNDLE_HASH_METADATA]: hash },
      }),
    );
  } catch (err) {
    throw failure(to, "PutObject", object.key, err);
  }
  return true;
}

/** Options of the S3 publishers. */
export interface S3PublisherOptions {
  client: S3Api;
  bucket: string;
  /** Key prefix of the objects: empty, or ending in `/` (e.g. `tessera/`). Default empty. */
  prefix?: string;
  /** `Cache-Control` of the objects. Default `max-age=60`. */
  cacheControl?: string;
}

const PREFIX = /^(?:[A-Za-z0-9!_.*'()-]+\/)*$/;

/** The destination and prefix of S3 publisher options, checked; `what` names the publisher in errors. */
export function s3DestinationOf(options: S3PublisherOptions, what: string): S3Destination & { prefix: string } {
  if (typeof options?.client?.send !== "function") throw new TypeError(`bundlepublisher: ${what} needs an S3 client`);
  if (typeof options.bucket !== "string" || options.bucket === "") throw new TypeError("bundlepublisher: bucket is required");
  const prefix = options.prefix ?? "";
  if (!PREFIX.test(prefix)) throw new TypeError("bundlepublisher: prefix must be empty or path segments ending in /");
  return { client: options.client, bucket: options.bucket, prefix, cacheControl: options.cacheControl ?? "max-age=60" };
}
