import { JoinProofInvalidError, StsUnavailableError } from "../../errors.js";
import { GET_CALLER_IDENTITY_BODY, type CheckedStsRequest } from "./signed-sts-request.js";

/** What STS says about the signer of a `GetCallerIdentity` request. */
export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** How `callGetCallerIdentity` reaches STS. */
export interface StsCallOptions {
  /** `fetch`, or a stand-in with its shape (tests count calls through it). */
  fetch: typeof fetch;
  timeoutMs: number;
}

const MAX_ANSWER_BYTES = 64 * 1024;
/** STS error codes that say STS is busy, not that the request is bad. */
const RETRYABLE_CODES = new Set(["Throttling", "ThrottlingException", "RequestLimitExceeded", "ServiceUnavailable", "InternalFailure"]);
const FIELD_VALUE = /^[A-Za-z0-9:+=,.@_/-]{1,2048}$/;

function unavailable(why: string, cause?: unknown): StsUnavailableError {
  return new StsUnavailableError(`attestation: STS ${why}`, cause === undefined ? undefined : { cause });
}

async function readBounded(res: Response): Promise<string> {
  if (Number(res.headers.get("content-length") ?? "0") > MAX_ANSWER_BYTES) {
    await res.body?.cancel();
    throw unavailable(`answered more than ${MAX_ANSWER_BYTES} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) throw unavailable(`answered more than ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function onlyElement(xml: string, name: string): string | undefined {
  const found = [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))];
  return found.length === 1 ? found[0]?.[1] : undefined;
}

function identityOf(text: string, contentType: string): CallerIdentity {
  let fields: Record<string, unknown> | undefined;
  if (contentType.startsWith("application/json")) {
    try {
      fields = (JSON.parse(text) as { GetCallerIdentityResponse?: { GetCallerIdentityResult?: Record<string, unknown> } })
        .GetCallerIdentityResponse?.GetCallerIdentityResult;
    } catch {
      fields = undefined;
    }
  } else {
    const blocks = [...text.matchAll(/<GetCallerIdentityResult>([\s\S]*?)<\/GetCallerIdentityResult>/g)];
    const result = blocks.length === 1 ? blocks[0]?.[1] : undefined;
    if (result !== undefined)
      fields = { Account: onlyElement(result, "Account"), Arn: onlyElement(result, "Arn"), UserId: onlyElement(result, "UserId") };
  }
  const { Account: account, Arn: arn, UserId: userId } = fields ?? {};
  if (
    typeof account !== "string" ||
    !/^\d{12}$/.test(account) ||
    typeof arn !== "string" ||
    !FIELD_VALUE.test(arn) ||
    typeof userId !== "string" ||
    !FIELD_VALUE.test(userId)
  ) {
    throw unavailable("answered GetCallerIdentity without a readable Account, Arn and UserId");
  }
  return { account, arn, userId };
}

/**
 * Send a checked `GetCallerIdentity` request to its STS endpoint (no redirects, a timeout, a bounded
 * answer) and read who signed it. STS refusing the signature or credentials is the caller's fault
 * (`JoinProofInvalidError`); STS unreachable, busy or unreadable is `StsUnavailableError`.
 */
export async function callGetCallerIdentity(request: CheckedStsRequest, options: StsCallOptions): Promise<CallerIdentity> {
  let res: Response;
  try {
    res = await options.fetch(request.url, {
      method: "POST",
      headers: request.forwardHeaders,
      body: GET_CALLER_IDENTITY_BODY,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    throw unavailable("could not be reached", err);
  }
  let text: string;
  try {
    text = await readBounded(res);
  } catch (err) {
    if (err instanceof StsUnavailableError) throw err;
    throw unavailable("broke off its answer", err);
  }
  if (res.status === 200) return identityOf(text, res.headers.get("content-type") ?? "");
  const code = /<Code>([A-Za-z.]{1,64})<\/Code>/.exec(text)?.[1] ?? /"(?:Code|__type)"\s*:\s*"([A-Za-z.#]{1,64})"/.exec(text)?.[1];
  if (res.status >= 400 && res.status < 500 && !RETRYABLE_CODES.has(code ?? "")) {
    throw new JoinProofInvalidError(`attestation: STS refused the signed request (${res.status} ${code ?? "no code"})`);
  }
  throw unavailable(`answered ${res.status} ${code ?? ""}`.trim());
}
