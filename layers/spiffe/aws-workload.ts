/**
 * AWS for workloads (`#tessera/aws-workload`): what a machine or a workload does with its own AWS
 * credentials: sign an `aws_iam` join proof, buy AWS credentials with an X.509-SVID through IAM
 * Roles Anywhere, read a web identity token. No AWS SDK client, nothing of the issuer.
 */
export { createAwsIamProof, type CreateAwsIamProofOptions } from "./src/aws/create-aws-iam-proof.js";
export {
  createRolesAnywhereSession,
  type CreateRolesAnywhereSessionOptions,
  type RolesAnywhereCredentials,
} from "./src/aws/create-session.js";
export { validateRolesAnywhereArns } from "./src/aws/roles-anywhere-arns.js";
export { RolesAnywhereSessionError, WebIdentityTokenError } from "./src/aws/errors.js";
export { getWebIdentityToken, type GetWebIdentityTokenOptions } from "./src/aws/get-web-identity-token.js";
export { signRequestX509, type SignRequestX509Options, type X509SigningMaterial } from "./src/aws/sign-request-x509.js";
export { signRequestSigV4, type SignRequestSigV4Options } from "./src/aws/sign-request.js";
export type { SignableRequest } from "./src/aws/smithy-request.js";
