import { JoinProofInvalidError } from "../../errors.js";

/** The only request body an `aws_iam` proof may carry. */
export const GET_CALLER_IDENTITY_BODY = "Action=GetCallerIdentity&Version=2011-06-15";
/** The request header that carries the join challenge; it must be one of the signed headers. */
export const CHALLENGE_HEADER = "x-tessera-challenge";

/** An `aws_iam` proof: a SigV4-signed `sts:GetCallerIdentity` POST, exactly as the client would send it. */
export interface SignedStsRequest {
  /** `https://<an STS host>/`. */
  url: string;
  /** Every header the client signed, and `authorization`; names lowercase. */
  headers: Record<string, string>;
  body: string;
}

/** A signed request that passed every check made before anything is sent. */
export interface CheckedStsRequest {
  url: string;
  /** `authorization` and the signed headers, less the ones fetch writes itself (`host`, `content-length`). */
  forwardHeaders: Record<string, string>;
  challenge: string;
}

const MAX_TOKEN_CHARS = 32 * 1024;
const MAX_HEADERS = 32;
const MAX_HEADER_VALUE = 8 * 1024;
const HEADER_NAME = /^[a-z0-9-]{1,64}$/;
const HEADER_VALUE = /^[\x20-\x7e]*$/;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]{16,128})\/(\d{8})\/([a-z0-9-]{1,32})\/sts\/aws4_request, ?SignedHeaders=([a-z0-9;-]{1,1024}), ?Signature=([0-9a-f]{64})$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** Headers about the connection, not the request: never forwarded, so never accepted as signed. */
const CONNECTION_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "expect",
  "te",
  "trailer",
  "proxy-connection",
  "proxy-authorization",
  "http2-settings",
]);
const REGION = "[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d{1,2}";
/** AWS's public STS endpoints: global, regional, regional FIPS, and the China regions. Exact URLs only. */
const AWS_STS_URL = new RegExp(
  `^https://(?:sts\\.amazonaws\\.com|sts(?:-fips)?\\.${REGION}\\.amazonaws\\.com|sts\\.cn-[a-z]+-\\d{1,2}\\.amazonaws\\.com\\.cn)/$`,
);

function invalid(why: string): JoinProofInvalidError {
  return new JoinProofInvalidError(`attestation: aws_iam proof ${why}`);
}

/** Encode a signed request as the `token` of an `aws_iam` join: base64url of its JSON. */
export function encodeAwsIamProof(request: SignedStsRequest): string {
  return Buffer.from(JSON.stringify({ url: request.url, headers: request.headers, body: request.body }), "utf8").toString("base64url");
}

/** Decode an `aws_iam` join `token` into its parts, checking only their shape. */
export function decodeAwsIamProof(token: unknown): SignedStsRequest {
  if (typeof token !== "string" || token === "" || token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token))
    throw invalid("is not a base64url-encoded signed request");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalid("is not a base64url-encoded signed request");
  }
  const { url, headers, body } = (parsed ?? {}) as Partial<SignedStsRequest>;
  if (typeof url !== "string" || typeof body !== "string" || typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    throw invalid("needs url, headers and body");
  }
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) throw invalid(`has more than ${MAX_HEADERS} headers`);
  const lower: Record<string, string> = {};
  for (const [name, value] of entries) {
    const key = name.toLowerCase();
    if (!HEADER_NAME.test(key) || typeof value !== "string" || value.length > MAX_HEADER_VALUE || !HEADER_VALUE.test(value))
      throw invalid("has a malformed header");
    if (Object.hasOwn(lower, key)) throw invalid("repeats a header");
    lower[key] = value;
  }
  return { url, headers: lower, body };
}

/** True when `url` is exactly `https://<host>/` for one of AWS's public STS hosts, or one of `extra` (configured endpoints). */
export function isAllowedStsUrl(url: string, extra: readonly string[]): boolean {
  return AWS_STS_URL.test(url) || extra.includes(url);
}

/**
 * Check a signed `sts:GetCallerIdentity` request before it is sent anywhere: the URL is an allowed
 * STS endpoint, the body is exactly `GET_CALLER_IDENTITY_BODY`, the signature is SigV4 for `sts`,
 * the signed `host` is the URL's, and the challenge header is present and among the signed headers.
 */
export function checkSignedStsRequest(request: SignedStsRequest, extraEndpoints: readonly string[]): CheckedStsRequest {
  if (!isAllowedStsUrl(request.url, extraEndpoints)) throw invalid("is not addressed to an allowed STS endpoint");
  if (request.body !== GET_CALLER_IDENTITY_BODY) throw invalid(`body is not ${GET_CALLER_IDENTITY_BODY}`);
  const match = AUTHORIZATION.exec(request.headers.authorization ?? "");
  if (!match) throw invalid("is not signed with SigV4 for sts");
  const signed = (match[4] as string).split(";");
  for (const name of signed) {
    if (!Object.hasOwn(request.headers, name)) throw invalid(`lacks its signed header ${name}`);
    if (CONNECTION_HEADERS.has(name)) throw invalid(`signs the connection header ${name}`);
  }
  if (!signed.includes("host") || request.headers.host !== new URL(request.url).host) throw invalid("signs another host than its URL's");
  if (!signed.includes(CHALLENGE_HEADER)) throw invalid(`does not sign ${CHALLENGE_HEADER}`);
  const challenge = request.headers[CHALLENGE_HEADER] as string;
  if (!CHALLENGE.test(challenge)) throw invalid("carries a malformed challenge");
  const forwardHeaders: Record<string, string> = { authorization: request.headers.authorization as string };
  for (const name of signed) if (name !== "host" && name !== "content-length") forwardHeaders[name] = request.headers[name] as string;
  return { url: request.url, forwardHeaders, challenge };
}
