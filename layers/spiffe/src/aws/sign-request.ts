import { NodeSha256 } from "./node-sha256.js";
import { toSmithyRequest, type SignableRequest } from "./smithy-request.js";

export type { SignableRequest };

/**
 * Sign a request with SigV4 for `service` (default `execute-api`, API Gateway's IAM authorisation),
 * using the default AWS credential chain. Returns the headers to send.
 */
export async function signRequestSigV4(request: SignableRequest, options: { region: string; service?: string }): Promise<Record<string, string>> {
  // The signer and the credential chain (SSO, STS, process, ...) are most of the SDK: load them only to sign.
  const [{ defaultProvider }, { SignatureV4 }] = await Promise.all([import("@aws-sdk/credential-provider-node"), import("@smithy/signature-v4")]);
  const signer = new SignatureV4({
    credentials: defaultProvider(),
    region: options.region,
    service: options.service ?? "execute-api",
    sha256: NodeSha256,
  });
  const signed = await signer.sign(toSmithyRequest(request));
  return signed.headers as Record<string, string>;
}
