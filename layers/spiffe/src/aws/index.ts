/**
 * aws: the only place Tessera makes AWS SDK clients or signs AWS requests. Everything else takes a
 * client (or a narrow interface over one) as a dependency. IAM Roles Anywhere's `CreateSession` is
 * signed here too, with an X.509-SVID's key (the SDK has no signer for it). Retries are the SDK's
 * own, configured in one place (`AwsRetryOptions`); only Roles Anywhere is paced and retried by hand.
 */
export {
  createDynamoDbDocumentClient,
  createKmsClient,
  createRolesAnywhereClient,
  createS3Client,
  deferClient,
  type AwsClientOptions,
  type S3ClientOptions,
} from "./clients.js";
export { AWS_RETRY_BACKOFF, type AwsRetryOptions } from "./retry-strategy.js";
export { signRequestSigV4, type SignableRequest, type SignRequestSigV4Options } from "./sign-request.js";
export { createAwsIamProof, type CreateAwsIamProofOptions } from "./create-aws-iam-proof.js";
export { signRequestX509, type SignRequestX509Options, type X509SigningMaterial } from "./sign-request-x509.js";
export { createRolesAnywhereSession, type CreateRolesAnywhereSessionOptions, type RolesAnywhereCredentials } from "./create-session.js";
export { validateRolesAnywhereArns } from "./roles-anywhere-arns.js";
export { RolesAnywhereSessionError, WebIdentityTokenError } from "./errors.js";
export { getWebIdentityToken, type GetWebIdentityTokenOptions } from "./get-web-identity-token.js";
