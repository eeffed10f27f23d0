import { WebIdentityTokenError } from "./errors.js";
import { signRequestSigV4 } from "./sign-request.js";

/** Options of `getWebIdentityToken`. */
export interface GetWebIdentityTokenOptions {
  /** The region whose STS endpoint signs (the call is not on the global endpoint). */
  region: string;
  /** The token's `aud`: the audience of the bot's `aws_sts` rule. */
  audience: string;
  /** `ES384` (default) or `RS256`. */
  signingAlgorithm?: "ES384" | "RS256";
  /** 60 to 3600; default 300. */
  durationSeconds?: number;
  /** Default `https://sts.<region>.amazonaws.com/` (`AWS_ENDPOINT_URL_STS` is the caller's to pass). */
  endpoint?: string;
  timeoutMs?: number;
}

const TOKEN = /<WebIdentityToken>([\w.-]+)<\/WebIdentityToken>/;
const ERROR_CODE = /<Code>([\w.]{1,128})<\/Code>/;

/**
 * Ask AWS STS for this principal's own web identity token (IAM outbound identity federation,
 * `sts:GetWebIdentityToken`), signed with the default credential chain: the proof of an `aws_sts`
 * join or agent-less SVID request. `WebIdentityTokenError` with STS's error code otherwise.
 */
export async function getWebIdentityToken(options: GetWebIdentityTokenOptions): Promise<string> {
  const url = options.endpoint ?? `https://sts.${options.region}.amazonaws.com/`;
  const body = new URLSearchParams({
    Action: "GetWebIdentityToken",
    Version: "2011-06-15",
    "Audience.member.1": options.audience,
    SigningAlgorithm: options.signingAlgorithm ?? "ES384",
    DurationSeconds: String(options.durationSeconds ?? 300),
  }).toString();
  const request = { method: "POST", url, headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body };
  const headers = await signRequestSigV4(request, { region: options.region, service: "sts" });
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    status = res.status;
    text = await res.text();
  } catch (err) {
    throw new WebIdentityTokenError(`aws: cannot reach STS at ${url}`, { cause: err });
  }
  const token = status === 200 ? TOKEN.exec(text)?.[1] : undefined;
  if (token === undefined)
    throw new WebIdentityTokenError(`aws: STS GetWebIdentityToken answered ${status} ${ERROR_CODE.exec(text)?.[1] ?? "without a token"}`);
  return token;
}
