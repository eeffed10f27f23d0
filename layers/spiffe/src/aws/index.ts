/**
 * aws: the only place Tessera makes AWS SDK clients or signs AWS requests. Everything else takes a
 * client (or a narrow interface over one) as a dependency. IAM Roles Anywhere's `CreateSession` is
 * signed here too, with an X.509-SVID's key (the SDK has no signer for it).
 */
export {
  createDynamoDbDocumentClient,
  createKmsClient,
  createRolesAnywhereClient,
  createS3Client,
  type AwsClientOptions,
  type S3ClientOptions,
} from "./clients.js";
export { signRequestSigV4, type SignableRequest, type SignRequestSigV4Options } from "./sign-request.js";
export { createAwsIamProof, type CreateAwsIamProofOptions } from "./create-aws-iam-proof.js";
export { signRequestX509, type SignRequestX509Options, type X509SigningMaterial } from "./sign-request-x509.js";
export { createRolesAnywhereSession, validateRolesAnywhereArns, type CreateRolesAnywhereSessionOptions, type RolesAnywhereCredentials } from "./create-session.js";
export { RolesAnywhereSessionError } from "./errors.js";
