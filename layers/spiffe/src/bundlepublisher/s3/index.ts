/** bundlepublisher/s3: the bundle and the CRLs as objects in an S3 bucket, written only when they change. */
export { BUNDLE_HASH_METADATA, S3BundlePublisher, type S3Api, type S3BundlePublisherOptions } from "./s3-bundle-publisher.js";
export { CRL_CONTENT_TYPE } from "../../crl/index.js";
export { S3CrlPublisher } from "./s3-crl-publisher.js";
export type { S3PublisherOptions } from "./put-object-if-changed.js";
