/**
 * Join verifiers: each platform join method (`oidc`, `gcp`, `aws_ec2`, `aws_iam`) checks its join rules when a bot is
 * written and a machine's signed proof when it joins, behind one small interface (`JoinVerifier`)
 * that every implementation proves with `runJoinVerifierConformance`. JWT proofs share one
 * verification core (algorithm allow-list, keys cached per Cache-Control, replay by `jti` or hash).
 */
export { AwsIamVerifier, type AwsIamVerifierOptions } from "./aws-iam/aws-iam-verifier.js";
export { AWS_IAM_ATTRIBUTES } from "./aws-iam/caller-attributes.js";
export { CHALLENGE_TTL_SECONDS, issueJoinChallenge, type JoinChallenge } from "./aws-iam/challenge.js";
export { CHALLENGE_HEADER, GET_CALLER_IDENTITY_BODY, encodeAwsIamProof, type SignedStsRequest } from "./aws-iam/signed-sts-request.js";
export { AWS_EC2_ATTRIBUTES, DEFAULT_MAX_JOIN_AGE_SECONDS, MAX_JOIN_AGE_LIMIT_SECONDS, type AwsEc2Rule } from "./aws-ec2/aws-ec2-rule.js";
export { AwsEc2Verifier, type AwsEc2VerifierOptions } from "./aws-ec2/aws-ec2-verifier.js";
export { createRegionKeys, readRegionCertificatesFile, type RegionKeys } from "./aws-ec2/region-certificates.js";
export { createJoinRuleValidators, type JoinRuleValidators } from "./create-join-rule-validators.js";
export { createJoinVerifiers, type JoinVerifiers, type JoinVerifiersOptions } from "./create-join-verifiers.js";
export { GCP_ATTRIBUTES } from "./gcp/gcp-rule.js";
export { GOOGLE_ISSUER, GOOGLE_JWKS_URL, GcpVerifier, type GcpVerifierOptions } from "./gcp/gcp-verifier.js";
export { KeySetCache, type KeySetCacheOptions } from "./jwt/key-set-cache.js";
export { PROOF_ALGORITHMS } from "./jwt/verify-jwt-proof.js";
export { OIDC_ATTRIBUTES, OIDC_PRESETS, type OidcPreset } from "./oidc/presets.js";
export { OidcVerifier, type OidcVerifierOptions } from "./oidc/oidc-verifier.js";
export type {
  Attestation,
  AttestationContext,
  JoinProof,
  JoinRuleValidator,
  JoinVerifier,
  KeyFetchPolicy,
  PlatformJoinMethod,
} from "./types.js";
