/** Where EC2's instance metadata service answers, unless configured. */
export const DEFAULT_METADATA_ENDPOINT = "http://169.254.169.254";

const TIMEOUT_MS = 3000;
const MAX_BYTES = 16 * 1024;
const TOKEN_TTL_SECONDS = "60";

/** What the agent sends for an `aws_ec2` join: the document and its `rsa2048` PKCS#7 signature, as IMDS serves them. */
export interface InstanceIdentity {
  document: string;
  signature: string;
}

async function text(response: Response, what: string): Promise<string> {
  const body = await response.text();
  if (!response.ok) throw new Error(`agent: instance metadata answered ${response.status} for ${what}`);
  if (body.length > MAX_BYTES) throw new Error(`agent: instance metadata sent an oversized ${what}`);
  return body;
}

/**
 * Read the instance identity document and its RSA-2048 signature from IMDSv2: a session token
 * (`PUT /latest/api/token`), then both documents with it. `endpoint` is configurable for tests and
 * for IPv6-only instances (`http://[fd00:ec2::254]`).
 */
export async function fetchInstanceIdentity(endpoint = DEFAULT_METADATA_ENDPOINT): Promise<InstanceIdentity> {
  const base = endpoint.replace(/\/+$/, "");
  const token = await text(
    await fetch(`${base}/latest/api/token`, {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: "error",
    }),
    "the session token",
  );
  const get = async (path: string) =>
    text(
      await fetch(`${base}${path}`, {
        headers: { "X-aws-ec2-metadata-token": token },
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: "error",
      }),
      path,
    );
  const [document, signature] = await Promise.all([
    get("/latest/dynamic/instance-identity/document"),
    get("/latest/dynamic/instance-identity/rsa2048"),
  ]);
  return { document, signature };
}
