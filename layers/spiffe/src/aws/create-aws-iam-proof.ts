import { CHALLENGE_HEADER, GET_CALLER_IDENTITY_BODY, encodeAwsIamProof } from "../attestation/index.js";
import { signRequestSigV4, type SignRequestSigV4Options } from "./sign-request.js";

/** Options of `createAwsIamProof`. */
export interface CreateAwsIamProofOptions {
  /** The challenge from `POST /v1/join/challenge`. */
  challenge: string;
  /** Sign for this region's STS endpoint (`sts.<region>.amazonaws.com`); default the global `sts.amazonaws.com` (us-east-1). */
  region?: string;
  /** Another STS endpoint (an emulator); the issuer must be configured to accept it. */
  endpoint?: string;
  credentials?: SignRequestSigV4Options["credentials"];
}

function stsUrlOf(options: CreateAwsIamProofOptions): string {
  if (options.endpoint) {
    const url = new URL(options.endpoint);
    return `${url.protocol}//${url.host}/`;
  }
  if (!options.region) return "https://sts.amazonaws.com/";
  return `https://sts.${options.region}.amazonaws.com${options.region.startsWith("cn-") ? ".cn" : ""}/`;
}

/**
 * The proof of an `aws_iam` join: an `sts:GetCallerIdentity` request carrying `challenge` in the
 * signed `x-tessera-challenge` header, signed with SigV4 by the AWS SDK's signer with the caller's
 * credentials (by default the SDK's default chain), and encoded as the join's `token`. Nothing is
 * sent to AWS here: the issuer forwards the request to STS.
 */
export async function createAwsIamProof(options: CreateAwsIamProofOptions): Promise<string> {
  const url = stsUrlOf(options);
  const headers = await signRequestSigV4(
    {
      method: "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", [CHALLENGE_HEADER]: options.challenge },
      body: GET_CALLER_IDENTITY_BODY,
    },
    { region: options.region ?? "us-east-1", service: "sts", ...(options.credentials ? { credentials: options.credentials } : {}) },
  );
  return encodeAwsIamProof({ url, headers, body: GET_CALLER_IDENTITY_BODY });
}
