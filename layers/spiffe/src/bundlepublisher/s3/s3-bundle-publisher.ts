import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { marshalPemBundle, marshalSpiffeBundle, type Bundle } from "../../bundle/index.js";
import { marshalOidcDocuments, OIDC_DISCOVERY_PATH, OIDC_JWKS_PATH } from "../../oidcdiscovery/index.js";
import { awsErrorName, awsHttpStatus, describeAwsError } from "../../aws/aws-error.js";
import { BundlePublishError } from "../errors.js";
import type { BundlePublisher, PublishResult } from "../types.js";

/** The one SDK call the S3 publisher needs: an `S3Client`, or a fake in tests. */
export type S3Api = Pick<S3Client, "send">;

/** Options of `S3BundlePublisher`. */
export interface S3BundlePublisherOptions {
  client: S3Api;
  bucket: string;
  /** Key prefix of both objects: empty, or ending in `/` (e.g. `tessera/`). Default empty. */
  prefix?: string;
  /** `Cache-Control` of every object. Default `max-age=60`. */
  cacheControl?: string;
  /** OIDC issuer URL: when set, the discovery document and the JWKS are published too. */
  issuerUrl?: string;
}

/** Object metadata holding the SHA-256 of the body, so an unchanged bundle is not written again. */
export const BUNDLE_HASH_METADATA = "tessera-sha256";

const PREFIX = /^(?:[A-Za-z0-9!_.*'()-]+\/)*$/;

interface BundleObject {
  key: string;
  body: string;
  contentType: string;
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function isMissing(err: unknown): boolean {
  return awsErrorName(err) === "NotFound" || awsErrorName(err) === "NoSuchKey" || awsHttpStatus(err) === 404;
}

/**
 * Publishes the bundle to S3 as `<prefix>bundle.json` (the SPIFFE bundle format,
 * `application/json`) and `<prefix>bundle.pem` (the X.509 authorities, `application/x-pem-file`).
 * With an issuer URL it also publishes `<prefix>.well-known/openid-configuration` and
 * `<prefix>.well-known/jwks.json`, so the bucket (behind the issuer URL) can serve OIDC discovery.
 * An object that already holds the same bytes is left alone, so a versioned bucket gains a version
 * only when the bundle changes.
 */
export class S3BundlePublisher implements BundlePublisher {
  readonly name = "aws_s3";
  readonly #client: S3Api;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #cacheControl: string;
  readonly #issuerUrl: string | undefined;

  constructor(options: S3BundlePublisherOptions) {
    if (typeof options?.client?.send !== "function") throw new TypeError("bundlepublisher: S3BundlePublisher needs an S3 client");
    if (typeof options.bucket !== "string" || options.bucket === "") throw new TypeError("bundlepublisher: bucket is required");
    const prefix = options.prefix ?? "";
    if (!PREFIX.test(prefix)) throw new TypeError("bundlepublisher: prefix must be empty or path segments ending in /");
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = prefix;
    this.#cacheControl = options.cacheControl ?? "max-age=60";
    this.#issuerUrl = options.issuerUrl;
  }

  /** Write `bundle.json`, `bundle.pem` (and the OIDC documents) unless they already hold this bundle. */
  async publishBundle(bundle: Bundle): Promise<PublishResult> {
    const objects: BundleObject[] = [
      { key: `${this.#prefix}bundle.json`, body: marshalSpiffeBundle(bundle), contentType: "application/json" },
      { key: `${this.#prefix}bundle.pem`, body: marshalPemBundle(bundle), contentType: "application/x-pem-file" },
    ];
    if (this.#issuerUrl !== undefined) {
      const oidc = marshalOidcDocuments(this.#issuerUrl, bundle);
      objects.push(
        { key: `${this.#prefix}${OIDC_DISCOVERY_PATH.slice(1)}`, body: oidc.discovery, contentType: "application/json" },
        { key: `${this.#prefix}${OIDC_JWKS_PATH.slice(1)}`, body: oidc.jwks, contentType: "application/json" },
      );
    }
    let changed = false;
    for (const object of objects) {
      if (await this.#putIfChanged(object)) changed = true;
    }
    return { changed };
  }

  async #putIfChanged(object: BundleObject): Promise<boolean> {
    const hash = sha256(object.body);
    if ((await this.#storedHash(object.key)) === hash) return false;
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: object.key,
          Body: object.body,
          ContentType: object.contentType,
          CacheControl: this.#cacheControl,
          Metadata: { [BUNDLE_HASH_METADATA]: hash },
        }),
      );
    } catch (err) {
      throw this.#failure("PutObject", object.key, err);
    }
    return true;
  }

  async #storedHash(key: string): Promise<string | undefined> {
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return head.Metadata?.[BUNDLE_HASH_METADATA];
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw this.#failure("HeadObject", key, err);
    }
  }

  #failure(operation: string, key: string, err: unknown): BundlePublishError {
    return new BundlePublishError(`bundlepublisher: S3 ${operation} of s3://${this.#bucket}/${key} failed (${describeAwsError(err)})`, {
      cause: err,
    });
  }
}
