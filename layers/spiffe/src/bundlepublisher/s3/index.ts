/**
 * bundlepublisher/s3: the trust bundle as `bundle.json` and `bundle.pem` objects in an S3 bucket
 * (SPIRE's `aws_s3` bundle publisher).
 */
export { BUNDLE_HASH_METADATA, S3BundlePublisher, type S3Api, type S3BundlePublisherOptions } from "./s3-bundle-publisher.js";
