// An example Lambda function that gets its SVIDs with no agent: it asks AWS STS for its own web
// identity token (IAM outbound identity federation) and sends it straight to Tessera's SVID routes.
// Synthesised by the CDK app only with `-c agentlessExample=true`; see README.md beside it.
import { createHash } from "node:crypto";
import { fetchJwtSvidWithProof, fetchX509SvidWithProof } from "#tessera/contract";
import { getWebIdentityToken } from "#tessera/aws-workload";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`example: ${name} is not set`);
  return value;
}

/** What the example returns: what it was issued, never a key or a token. */
export interface ExampleResult {
  spiffeId: string;
  serialNumber: string;
  x509ExpiresAt: string;
  jwtSvidSha256: string;
}

/** Get an X.509-SVID and a JWT-SVID for this function, each with a fresh web identity token (each is accepted once). */
export async function handler(): Promise<ExampleResult> {
  const issuer = required("TESSERA_ISSUER_URL");
  const region = required("AWS_REGION");
  const audience = required("TESSERA_TOKEN_AUDIENCE");
  const botName = required("TESSERA_BOT_NAME");
  const spiffeId = required("TESSERA_SPIFFE_ID");
  const endpoint = process.env.AWS_ENDPOINT_URL_STS;
  const proof = async () => ({
    method: "oidc",
    botName,
    token: await getWebIdentityToken({ region, audience, ...(endpoint ? { endpoint } : {}) }),
  });
  const x509 = await fetchX509SvidWithProof({ issuer, proof: await proof(), spiffeId });
  const jwt = await fetchJwtSvidWithProof({
    issuer,
    proof: await proof(),
    spiffeId,
    audience: [process.env.TESSERA_JWT_AUDIENCE || "example"],
  });
  // A real function would now use x509.privateKey and x509.certificates for mTLS, or jwt.token.
  return {
    spiffeId: x509.spiffeId,
    serialNumber: x509.serialNumber,
    x509ExpiresAt: x509.expiresAt.toISOString(),
    jwtSvidSha256: createHash("sha256").update(jwt.token).digest("hex"),
  };
}
