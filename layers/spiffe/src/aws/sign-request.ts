import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { NodeSha256 } from "./node-sha256.js";
import { toSmithyRequest, type SignableRequest } from "./smithy-request.js";

export type { SignableRequest };

/** Options of `signRequestSigV4`. */
export interface SignRequestSigV4Options {
  region: string;
  /** The signing name; default `execute-api` (API Gateway's IAM authorisation). */
  service?: string;
  /** Default: the SDK's default credential chain (environment, profiles, SSO, container, IMDS). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** Sign a request with SigV4 (the AWS SDK's signer), by default for API Gateway. Returns the headers to send. */
export async function signRequestSigV4(request: SignableRequest, options: SignRequestSigV4Options): Promise<Record<string, string>> {
  // The signer and the credential chain (SSO, STS, process, ...) are most of the SDK: load them only to sign.
  const { defaultProvider, SignatureV4 } = await import("./sigv4-signer-parts.js");
  const signer = new SignatureV4({
    credentials: options.credentials ?? defaultProvider(),
    region: options.region,
    service: options.service ?? "execute-api",
    sha256: NodeSha256,
  });
  const signed = await signer.sign(toSmithyRequest(request));
  return signed.headers as Record<string, string>;
}
