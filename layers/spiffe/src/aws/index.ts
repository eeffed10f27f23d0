/**
 * aws: the only place Tessera makes AWS SDK clients or signs AWS requests. Everything else takes a
 * client (or a narrow interface over one) as a dependency.
 */
export {
  createDynamoDbDocumentClient,
  createKmsClient,
  createRolesAnywhereClient,
  createS3Client,
  type AwsClientOptions,
  type S3ClientOptions,
} from "./clients.js";
export { signRequestSigV4, type SignableRequest } from "./sign-request.js";
