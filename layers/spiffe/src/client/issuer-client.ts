import * as v from "valibot";
import {
  bundleRoute,
  jwtSvidRoute,
  revocationsRoute,
  trustStateRoute,
  x509SvidBatchRoute,
  x509SvidRoute,
} from "../contract/issue-routes.js";
import { joinChallengeRoute, joinRoute, renewRoute } from "../contract/join-routes.js";
import type { CallOf, ResponseOf, RouteDescriptor } from "../contract/route-descriptor.js";
import { IssuerUnreachableError } from "../errors.js";
import { ACTIVE_X509_AUTHORITY_HEADER } from "../http/responses.js";
import { requestText, type HttpAnswer } from "./http-request.js";
import { IssuerApiError, issuerApiErrorOf } from "./issuer-api-error.js";

/** A bot credential as the issuer returns it. */
export type CredentialResponse = ResponseOf<typeof joinRoute>;
/** An X.509-SVID as the issuer returns it (PEM). */
export type X509SvidResponse = ResponseOf<typeof x509SvidRoute>;
/** What `POST /v1/svids/x509/batch` answers: one result per entry, in order, and the bundle. */
export type X509SvidBatchResponse = ResponseOf<typeof x509SvidBatchRoute>;
/** What one X.509-SVID is asked with (`fetchX509Svid`, and each entry of `fetchX509SvidBatch`). */
export interface X509SvidAsk {
  csr: string;
  spiffeId: string;
  ttlSeconds?: number;
  dnsNames?: string[];
}
/** A JWT-SVID as the issuer returns it. */
export type JwtSvidResponse = ResponseOf<typeof jwtSvidRoute>;
/** What `GET /v1/trust` answers: the bundle document (text), the active CA's SHA-256 and the revocations. */
export type TrustStateResponse = ResponseOf<typeof trustStateRoute>;
/** What `GET /v1/revocations` answers. */
export type RevocationsResponse = ResponseOf<typeof revocationsRoute>;

/** Options of an `IssuerClient`. */
export interface IssuerClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:8640` or the API Gateway URL. */
  issuer: string;
  /** Per-request timeout, ms. Default 10 s. */
  timeoutMs?: number;
}

/** Per-call options: the bot credential, extra headers (an admin's authorisation), a look at the response headers. */
export interface CallOptions {
  bearer?: string;
  headers?: Record<string, string>;
  onHeaders?: (headers: HttpAnswer["headers"]) => void;
}

function reasonOf(err: unknown, timeoutMs: number): string {
  if ((err as { name?: unknown }).name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: unknown }).cause ?? err;
  const parts = cause instanceof AggregateError ? cause.errors : [cause];
  const text = parts
    .map((p) => (p instanceof Error ? p.message || String((p as { code?: unknown }).code ?? "") : String(p)))
    .filter(Boolean);
  return text.length ? [...new Set(text)].join("; ") : String((cause as { code?: unknown }).code ?? "network error");
}

/** True for a refusal that the same request cannot overcome: a 4xx other than 408 and 429. */
export function isPermanentRefusal(err: unknown): err is IssuerApiError {
  return err instanceof IssuerApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}

/** The path and query string of a call to `route`: path parameters filled in and encoded. */
export function pathOf<D extends RouteDescriptor>(route: D, input: CallOf<D>): string {
  const params = (input.params ?? {}) as Record<string, string>;
  const path = route.path.replace(/\{([a-z_]+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? ""));
  const query = new URLSearchParams(
    Object.entries((input.query ?? {}) as Record<string, string | undefined>).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

function x509SvidBody(request: X509SvidAsk) {
  return {
    csr: request.csr,
    spiffe_id: request.spiffeId,
    ...(request.ttlSeconds ? { ttl: request.ttlSeconds } : {}),
    ...(request.dnsNames?.length ? { dns_names: request.dnsNames } : {}),
  };
}

/**
 * Tessera's HTTP API from the caller's side, typed by the API contract: `call` sends what a
 * route's request schema describes and checks the answer against its response schema. The bot
 * side (join, renew, SVIDs, the bundle) has named methods; the CLI's admin calls use `call`.
 */
export class IssuerClient {
  readonly #base: string;
  readonly #timeoutMs: number;

  constructor(options: IssuerClientOptions) {
    this.#base = options.issuer.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Send one request; the 2xx body as text, anything else as an `IssuerApiError`; no answer at all as an `IssuerUnreachableError`. */
  async send(method: string, path: string, options: CallOptions & { body?: string } = {}): Promise<string> {
    const headers: Record<string, string> = { accept: "application/json", ...(options.headers ?? {}) };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    const url = `${this.#base}${path}`;
    let res: HttpAnswer;
    try {
      res = await requestText(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
        timeoutMs: this.#timeoutMs,
      });
    } catch (err) {
      throw new IssuerUnreachableError(`cannot reach the issuer at ${url}: ${reasonOf(err, this.#timeoutMs)}`, { cause: err });
    }
    if (res.status < 200 || res.status > 299) throw issuerApiErrorOf(res.status, res.text, res.headers.get("retry-after"));
    options.onHeaders?.(res.headers);
    return res.text;
  }

  /** Call one route of the API contract. A JSON answer that does not match the route's response schema is an `IssuerApiError` (`ERR_RESPONSE_INVALID`). */
  async call<D extends RouteDescriptor>(route: D, input: CallOf<D>, options: CallOptions = {}): Promise<ResponseOf<D>> {
    const body = input.body === undefined ? undefined : JSON.stringify(input.body);
    const text = await this.send(route.method, pathOf(route, input), { ...options, ...(body === undefined ? {} : { body }) });
    if ("raw" in route.response) return text as ResponseOf<D>;
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (!v.is(route.response, answer)) {
      throw new IssuerApiError(
        200,
        "ERR_RESPONSE_INVALID",
        `client: the issuer's answer to ${route.method} ${route.path} does not match the API contract`,
      );
    }
    return answer as ResponseOf<D>;
  }

  /** Join with a one-time token, optionally asking for a credential lifetime (the issuer caps it). */
  joinWithToken(token: string, ttlSeconds?: number): Promise<CredentialResponse> {
    return this.call(joinRoute, { body: { join_method: "token", token, ...(ttlSeconds ? { ttl: ttlSeconds } : {}) } });
  }

  /** A single-use challenge for an `aws_iam` join, to sign into its STS request. */
  joinChallenge(): Promise<ResponseOf<typeof joinChallengeRoute>> {
    return this.call(joinChallengeRoute, {});
  }

  /**
   * Join as `botName` with a platform's signed token (`oidc`, `gcp`, `aws_iam`: such bots join again
   * instead of renewing; `aws_ec2`: the rsa2048 signature, with the instance identity `document` beside it).
   */
  joinWithPlatformToken(
    method: "oidc" | "gcp" | "aws_ec2" | "aws_iam",
    botName: string,
    token: string,
    ttlSeconds?: number,
    document?: string,
  ): Promise<CredentialResponse> {
    const extra = { ...(ttlSeconds ? { ttl: ttlSeconds } : {}), ...(document !== undefined ? { document } : {}) };
    return this.call(joinRoute, { body: { join_method: method, bot_name: botName, token, ...extra } });
  }

  /** Renew a token-joined bot's credential; the old one stops working. */
  renew(credential: string, ttlSeconds?: number): Promise<CredentialResponse> {
    return this.call(renewRoute, ttlSeconds ? { body: { ttl: ttlSeconds } } : ({} as CallOf<typeof renewRoute>), { bearer: credential });
  }

  /** Ask for an X.509-SVID for the key behind `csr`. */
  fetchX509Svid(credential: string, request: X509SvidAsk): Promise<X509SvidResponse> {
    return this.call(x509SvidRoute, { body: x509SvidBody(request) }, { bearer: credential });
  }

  /**
   * Ask for several X.509-SVIDs in one request (at most 64). The answer's `results` are in the
   * order of `requests`, each an SVID or the `error` that entry alone would have had.
   */
  fetchX509SvidBatch(credential: string, requests: X509SvidAsk[]): Promise<X509SvidBatchResponse> {
    return this.call(x509SvidBatchRoute, { body: { entries: requests.map(x509SvidBody) } }, { bearer: credential });
  }

  /** Ask for a JWT-SVID for `audience`. */
  fetchJwtSvid(credential: string, request: { spiffeId: string; audience: string[]; ttlSeconds?: number }): Promise<JwtSvidResponse> {
    const body = { spiffe_id: request.spiffeId, audience: request.audience, ...(request.ttlSeconds ? { ttl: request.ttlSeconds } : {}) };
    return this.call(jwtSvidRoute, { body }, { bearer: credential });
  }

  /** The SPIFFE bundle document (JSON text), or (`pem`) the bundle's CA certificates. */
  fetchBundle(format?: "pem"): Promise<string> {
    return this.call(bundleRoute, format ? { query: { format } } : {});
  }

  /** The issuer's CRLs (base64 DER, to be verified against the bundle) and its JWT-SVID deny-list. */
  fetchRevocations(): Promise<RevocationsResponse> {
    return this.call(revocationsRoute, {});
  }

  /** The bundle and the revocations in one request (`GET /v1/trust`). */
  fetchTrustState(): Promise<TrustStateResponse> {
    return this.call(trustStateRoute, {});
  }

  /** The SPIFFE bundle document, and which of its CAs signs X.509-SVIDs now (SHA-256 hex), when the issuer says. */
  async fetchBundleState(): Promise<{ text: string; activeX509Sha256?: string }> {
    let active: string | null = null;
    const text = await this.call(bundleRoute, {}, { onHeaders: (h) => (active = h.get(ACTIVE_X509_AUTHORITY_HEADER)) });
    return bundleStateOf(text, active);
  }
}

/**
 * A bundle answer with the issuer's word on its active X.509 CA (the `tessera-active-x509-authority` header
 * or `GET /v1/trust`'s `active_x509_sha256`), kept only when it is a SHA-256 in lowercase hex.
 */
export function bundleStateOf(text: string, active: string | null | undefined): { text: string; activeX509Sha256?: string } {
  return active && /^[0-9a-f]{64}$/.test(active) ? { text, activeX509Sha256: active } : { text };
}
