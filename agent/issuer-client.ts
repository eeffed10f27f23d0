import { IssuerApiError, issuerApiErrorOf } from "../layers/spiffe/src/client/index.js";
import { ACTIVE_X509_AUTHORITY_HEADER } from "../layers/spiffe/src/index.js";
import { requestText, type HttpAnswer } from "./http-request.js";

export { IssuerApiError };

/** No answer from the issuer at all: refused, unresolvable, reset or timed out. */
export class IssuerUnreachableError extends Error {
  readonly code = "ERR_ISSUER_UNREACHABLE";

  constructor(url: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot reach the issuer at ${url}: ${reason}`, options);
    this.name = "IssuerUnreachableError";
  }
}

function reasonOf(err: unknown, timeoutMs: number): string {
  if ((err as { name?: unknown }).name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: unknown }).cause ?? err;
  const parts = cause instanceof AggregateError ? cause.errors : [cause];
  const text = parts.map((p) => (p instanceof Error ? p.message || String((p as { code?: unknown }).code ?? "") : String(p))).filter(Boolean);
  return text.length ? [...new Set(text)].join("; ") : String((cause as { code?: unknown }).code ?? "network error");
}

/** True for a refusal that the same request cannot overcome: a 4xx other than 408 and 429. */
export function isPermanentRefusal(err: unknown): err is IssuerApiError {
  return err instanceof IssuerApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}

/** A bot credential as the issuer returns it. */
export interface CredentialResponse {
  credential: string;
  bot_name: string;
  instance_id: string;
  generation: number;
  expires_at: string;
}

/** An X.509-SVID as the issuer returns it (PEM). */
export interface X509SvidResponse {
  spiffe_id: string;
  certificates: string[];
  serial_number: string;
  expires_at: string;
  bundle: string[];
}

/** A JWT-SVID as the issuer returns it. */
export interface JwtSvidResponse {
  spiffe_id: string;
  token: string;
  expires_at: string;
}

/** Options of an `IssuerClient`. */
export interface IssuerClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:8640` or the API Gateway URL. */
  issuer: string;
  /** Per-request timeout, ms. Default 10 s. */
  timeoutMs?: number;
}

/** What `GET /v1/revocations` answers. */
export interface RevocationsResponse {
  crls: { ca_id: string; crl_number: number; next_update: string; crl: string }[];
  denied_jwt_svids: { jti: string; expires_at: string }[];
}

/** The bot side of Tessera's HTTP API: join, renew, SVIDs, the bundle. */
export class IssuerClient {
  readonly #base: string;
  readonly #timeoutMs: number;

  constructor(options: IssuerClientOptions) {
    this.#base = options.issuer.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Send one request; answers 2xx as JSON (or text), anything else as an `IssuerApiError`. */
  async request<T>(
    method: string,
    path: string,
    options: { body?: unknown; bearer?: string; headers?: Record<string, string>; text?: boolean; onHeaders?: (headers: HttpAnswer["headers"]) => void } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json", ...(options.headers ?? {}) };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    const url = `${this.#base}${path}`;
    let res: HttpAnswer;
    try {
      res = await requestText(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        timeoutMs: this.#timeoutMs,
      });
    } catch (err) {
      throw new IssuerUnreachableError(url, reasonOf(err, this.#timeoutMs), { cause: err });
    }
    if (res.status < 200 || res.status > 299) throw issuerApiErrorOf(res.status, res.text);
    options.onHeaders?.(res.headers);
    return (options.text ? res.text : JSON.parse(res.text)) as T;
  }

  /** Join with a one-time token, optionally asking for a credential lifetime (the issuer caps it). */
  joinWithToken(token: string, ttlSeconds?: number): Promise<CredentialResponse> {
    return this.request("POST", "/v1/join", { body: { join_method: "token", token, ...(ttlSeconds ? { ttl: ttlSeconds } : {}) } });
  }

  /** A single-use challenge for an `aws_iam` join, to sign into its STS request. */
  joinChallenge(): Promise<{ challenge: string; expires_at: string }> {
    return this.request("POST", "/v1/join/challenge");
  }

  /**
   * Join as `botName` with a platform's signed token (`oidc`, `gcp`, `aws_iam`: such bots join again
   * instead of renewing; `aws_ec2`: the rsa2048 signature, with the instance identity `document` beside it).
   */
  joinWithPlatformToken(method: "oidc" | "gcp" | "aws_ec2" | "aws_iam", botName: string, token: string, ttlSeconds?: number, document?: string): Promise<CredentialResponse> {
    const extra = { ...(ttlSeconds ? { ttl: ttlSeconds } : {}), ...(document !== undefined ? { document } : {}) };
    return this.request("POST", "/v1/join", { body: { join_method: method, bot_name: botName, token, ...extra } });
  }

  /** Renew a token-joined bot's credential; the old one stops working. */
  renew(credential: string, ttlSeconds?: number): Promise<CredentialResponse> {
    return this.request("POST", "/v1/renew", { bearer: credential, ...(ttlSeconds ? { body: { ttl: ttlSeconds } } : {}) });
  }

  /** Ask for an X.509-SVID for the key behind `csr`. */
  fetchX509Svid(credential: string, request: { csr: string; spiffeId: string; ttlSeconds?: number; dnsNames?: string[] }): Promise<X509SvidResponse> {
    return this.request("POST", "/v1/svids/x509", {
      bearer: credential,
      body: {
        csr: request.csr,
        spiffe_id: request.spiffeId,
        ...(request.ttlSeconds ? { ttl: request.ttlSeconds } : {}),
        ...(request.dnsNames?.length ? { dns_names: request.dnsNames } : {}),
      },
    });
  }

  /** Ask for a JWT-SVID for `audience`. */
  fetchJwtSvid(credential: string, request: { spiffeId: string; audience: string[]; ttlSeconds?: number }): Promise<JwtSvidResponse> {
    return this.request("POST", "/v1/svids/jwt", {
      bearer: credential,
      body: { spiffe_id: request.spiffeId, audience: request.audience, ...(request.ttlSeconds ? { ttl: request.ttlSeconds } : {}) },
    });
  }

  /** The SPIFFE bundle document (JSON text). */
  fetchBundle(): Promise<string> {
    return this.request("GET", "/v1/bundle", { text: true });
  }

  /** The issuer's CRLs (base64 DER, to be verified against the bundle) and its JWT-SVID deny-list. */
  fetchRevocations(): Promise<RevocationsResponse> {
    return this.request("GET", "/v1/revocations");
  }

  /** The SPIFFE bundle document, and which of its CAs signs X.509-SVIDs now (SHA-256 hex), when the issuer says. */
  async fetchBundleState(): Promise<{ text: string; activeX509Sha256?: string }> {
    let active: string | null = null;
    const text = await this.request<string>("GET", "/v1/bundle", { text: true, onHeaders: (h) => (active = h.get(ACTIVE_X509_AUTHORITY_HEADER)) });
    return active && /^[0-9a-f]{64}$/.test(active) ? { text, activeX509Sha256: active } : { text };
  }
}
