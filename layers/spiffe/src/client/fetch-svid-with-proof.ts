import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { SpiffeId } from "../spiffeid/index.js";
import { createCsr } from "../x509svid/index.js";
import { issuerApiErrorOf } from "./issuer-api-error.js";

/** A platform proof and the bot whose rules judge it: the `join` of an SVID request without an agent. */
export interface PlatformProof {
  /** The platform join method: `oidc`, `gcp`, ... */
  method: string;
  botName: string;
  /** The platform's signed token (an OIDC ID token, an AWS STS web identity token, a GCE identity token...). */
  token: string;
  /** The signed instance identity document beside an `aws_ec2` signature. */
  document?: string;
}

/** What every request with a proof needs. */
export interface SvidWithProofOptions {
  /** The issuer's base URL (the API Gateway URL, or `tessera dev`'s). */
  issuer: string;
  proof: PlatformProof;
  spiffeId: string;
  /** Asked lifetime, seconds (the bot's rules cap it). */
  ttlSeconds?: number;
  /** Per-request timeout, ms. Default 10 s. */
  timeoutMs?: number;
}

/** An X.509-SVID with the private key made for it here (it never left this process). */
export interface X509SvidWithKey {
  spiffeId: string;
  privateKey: KeyObject;
  /** PEM: the leaf first. */
  certificates: string[];
  serialNumber: string;
  expiresAt: Date;
  /** PEM of every X.509 authority of the trust bundle. */
  bundle: string[];
}

/** A JWT-SVID. */
export interface IssuedJwtSvid {
  spiffeId: string;
  token: string;
  expiresAt: Date;
}

async function post<T>(options: SvidWithProofOptions, path: string, body: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${options.issuer.replace(/\/+$/, "")}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({
      ...body,
      spiffe_id: options.spiffeId,
      ...(options.ttlSeconds === undefined ? {} : { ttl: options.ttlSeconds }),
      join: {
        join_method: options.proof.method,
        bot_name: options.proof.botName,
        token: options.proof.token,
        ...(options.proof.document === undefined ? {} : { document: options.proof.document }),
      },
    }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  if (!res.ok) throw issuerApiErrorOf(res.status, text, res.headers.get("retry-after"));
  return JSON.parse(text) as T;
}

/**
 * Get an X.509-SVID in one round trip with a platform proof instead of a bot credential, for a
 * workload that cannot run an agent (a Lambda function, a CI step). The key pair (ECDSA P-256) is
 * made here and only a CSR is sent. A refusal is an `IssuerApiError` with the issuer's code.
 */
export async function fetchX509SvidWithProof(options: SvidWithProofOptions & { dnsNames?: string[] }): Promise<X509SvidWithKey> {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const csr = await createCsr({ privateKey, spiffeId: SpiffeId.fromString(options.spiffeId) });
  const answer = await post<{ spiffe_id: string; certificates: string[]; serial_number: string; expires_at: string; bundle: string[] }>(
    options,
    "/v1/svids/x509",
    {
      csr,
      ...(options.dnsNames?.length ? { dns_names: options.dnsNames } : {}),
    },
  );
  return {
    spiffeId: answer.spiffe_id,
    privateKey,
    certificates: answer.certificates,
    serialNumber: answer.serial_number,
    expiresAt: new Date(answer.expires_at),
    bundle: answer.bundle,
  };
}

/** Get a JWT-SVID for `audience` in one round trip with a platform proof instead of a bot credential. */
export async function fetchJwtSvidWithProof(options: SvidWithProofOptions & { audience: string[] }): Promise<IssuedJwtSvid> {
  const answer = await post<{ spiffe_id: string; token: string; expires_at: string }>(options, "/v1/svids/jwt", {
    audience: options.audience,
  });
  return { spiffeId: answer.spiffe_id, token: answer.token, expiresAt: new Date(answer.expires_at) };
}
