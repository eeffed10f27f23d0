/**
 * The AWS and Lambda adapters (`#tessera/aws`): the AWS SDK clients, the KMS key manager, the
 * DynamoDB store and its table schema, the S3 and IAM Roles Anywhere publishers, the deployment
 * bootstrap (it settles the Roles Anywhere trust anchor), the runtime that wires a configuration to
 * them (one per Lambda cold start or `tessera dev`), and the middleware chain of a Lambda handler.
 */
export {
  type AwsClientOptions,
  createDynamoDbDocumentClient,
  createKmsClient,
  createRolesAnywhereClient,
  createS3Client,
  type S3ClientOptions,
} from "./src/aws/clients.js";
export { AWS_RETRY_BACKOFF, type AwsRetryOptions } from "./src/aws/retry-strategy.js";
export { createLambdaChain, type LambdaContextLike, type LambdaRequest, type Middleware } from "./src/http/lambda-chain.js";
export {
  type BundlePublisherOverrides,
  createBundlePublishers,
  createCrlPublishers,
} from "./src/bundlepublisher/create-bundle-publishers.js";
export { createTrustAnchorCalls } from "./src/bundlepublisher/create-trust-anchor-calls.js";
export { namePublishers, PUBLISHER_NAMES, type PublisherNames } from "./src/bundlepublisher/name-publishers.js";
export {
  BOOTSTRAP_DEPLOYMENT_STORE,
  bootstrapDeployment,
  type BootstrapDeploymentDeps,
  type BootstrapDeploymentOptions,
  type BootstrapDeploymentResult,
  removeDeployment,
  type RemoveDeploymentDeps,
  type RemoveDeploymentOptions,
  type TrustAnchorRemovalPolicy,
} from "./src/deployment/index.js";
export {
  CERTIFICATE_BUNDLE,
  crlNameOf,
  deleteTrustAnchor,
  ensureTrustAnchor,
  type EnsureTrustAnchorOptions,
  type EnsureTrustAnchorResult,
  getTrustAnchor,
  isRetryableRolesAnywhereError,
  MAX_TRUST_ANCHOR_CERTIFICATES,
  MAX_TRUST_ANCHOR_PEM_CHARACTERS,
  PacedCaller,
  type PacingOptions,
  type RolesAnywhereApi,
  RolesAnywhereCrlPublisher,
  type RolesAnywhereCrlPublisherOptions,
  RolesAnywhereTrustAnchorPublisher,
  type RolesAnywhereTrustAnchorPublisherOptions,
  sameCertificates,
  TRUST_DOMAIN_TAG,
  type TrustAnchorCalls,
  trustAnchorPemOf,
  type TrustAnchorRef,
} from "./src/bundlepublisher/rolesanywhere/index.js";
export {
  BUNDLE_HASH_METADATA,
  CRL_CONTENT_TYPE,
  type S3Api,
  S3BundlePublisher,
  type S3BundlePublisherOptions,
  S3CrlPublisher,
  type S3PublisherOptions,
} from "./src/bundlepublisher/s3/index.js";
export { KEY_ID_TAG, type KmsApi, KmsKeyManager, type KmsKeyManagerOptions } from "./src/keymanager/kms/index.js";
export {
  assembleRuntime,
  buildFunctionRuntime,
  createLogger,
  type FunctionRuntimeParts,
  openDynamoDbStore,
  openKeys,
  type RuntimeParts,
  type TesseraRuntime,
} from "./src/runtime/index.js";
export {
  type DynamoDbDocumentSender,
  DynamoDbStore,
  type DynamoDbStoreOptions,
  GLOBAL_SECONDARY_INDEXES,
  type GlobalSecondaryIndexDefinition,
  type KeyAttributeDefinition,
  type KeySchemaAttribute,
  PUBLISHING_PARTITIONS,
  publishingPartitionOf,
  publishingStreamFilterPattern,
  TABLE_ATTRIBUTE_DEFINITIONS,
  TABLE_KEY_SCHEMA,
  TTL_ATTRIBUTE,
} from "./src/store/dynamodb/index.js";
export { DYNAMODB_PART_ACCESS, type DynamoDbAction, type TableAccess, tableAccessOf } from "./src/store/dynamodb/part-access.js";
export { LAMBDA_BUNDLE_ALIASES } from "./src/aws/lambda/bundle-aliases.js";
