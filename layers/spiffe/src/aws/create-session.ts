import { RolesAnywhereSessionError } from "./errors.js";
import { validateRolesAnywhereArns } from "./roles-anywhere-arns.js";
import { signRequestX509, type X509SigningMaterial } from "./sign-request-x509.js";

/** Options of `createRolesAnywhereSession`. */
export interface CreateRolesAnywhereSessionOptions {
  trustAnchorArn: string;
  profileArn: string;
  roleArn: string;
  /** Default 3600; Roles Anywhere accepts 900 up to the profile's limit (at most 12 hours). */
  durationSeconds?: number;
  /** Default: the trust anchor's region. */
  region?: string;
  /** Default `https://rolesanywhere.<region>.amazonaws.com`, as aws_signing_helper's `--endpoint`. */
  endpoint?: string;
  /** The signing time; default now. */
  now?: Date;
  /** Give up after this long, ms (default 10 s). */
  timeoutMs?: number;
}

/** Temporary AWS credentials from `CreateSession`. */
export interface RolesAnywhereCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

function credentialsOf(body: unknown): RolesAnywhereCredentials {
  const c = (body as { credentialSet?: { credentials?: Record<string, unknown> }[] } | null)?.credentialSet?.[0]?.credentials;
  const expiration = typeof c?.expiration === "string" ? new Date(c.expiration) : undefined;
  if (
    !c ||
    typeof c.accessKeyId !== "string" ||
    typeof c.secretAccessKey !== "string" ||
    typeof c.sessionToken !== "string" ||
    !expiration ||
    Number.isNaN(expiration.getTime())
  ) {
    throw new RolesAnywhereSessionError("aws: CreateSession answered without a credential set");
  }
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration };
}

/**
 * Exchange an X.509 certificate and its key for temporary AWS credentials with IAM Roles Anywhere
 * `CreateSession` (`POST /sessions`), signed as AWS's credential helper signs it.
 */
export async function createRolesAnywhereSession(
  material: X509SigningMaterial,
  options: CreateRolesAnywhereSessionOptions,
): Promise<RolesAnywhereCredentials> {
  const anchorRegion = validateRolesAnywhereArns(options);
  const region = options.region ?? anchorRegion;
  const url = new URL("/sessions", options.endpoint ?? `https://rolesanywhere.${region}.amazonaws.com`);
  url.search = new URLSearchParams({
    profileArn: options.profileArn,
    roleArn: options.roleArn,
    trustAnchorArn: options.trustAnchorArn,
  }).toString();
  const body = JSON.stringify({ durationSeconds: options.durationSeconds ?? 3600 });
  const request = { method: "POST", url: url.toString(), headers: { "content-type": "application/json" }, body };
  const headers = await signRequestX509(request, material, { region, ...(options.now ? { now: options.now } : {}) });
  let res: Response;
  try {
    res = await fetch(request.url, { method: "POST", headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  } catch (err) {
    throw new RolesAnywhereSessionError(`aws: cannot reach IAM Roles Anywhere at ${url.origin}`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 200);
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
    } catch {
      // not JSON: keep the start of the text
    }
    throw new RolesAnywhereSessionError(`aws: CreateSession refused (${res.status}): ${message}`, { status: res.status });
  }
  try {
    return credentialsOf(JSON.parse(text));
  } catch (err) {
    if (err instanceof RolesAnywhereSessionError) throw err;
    throw new RolesAnywhereSessionError("aws: CreateSession answered with something that is not JSON", { cause: err });
  }
}
