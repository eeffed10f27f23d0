import * as v from "valibot";
import { joinProofSchema } from "./join-routes.js";
import { defineRoute } from "./route-descriptor.js";

const BUNDLE_CACHE = { "cache-control": "public, max-age=60" };
const REVOCATION_CACHE = { "cache-control": "public, max-age=10" };
const formatQuery = v.object({ format: v.optional(v.string()) });
const publicGet = { method: "GET", auth: "none", status: 200, maxBodyBytes: 0 } as const;

/** `POST /v1/svids/x509`: an X.509-SVID for the key of a CSR. */
export const x509SvidRoute = defineRoute({
  method: "POST",
  path: "/v1/svids/x509",
  auth: "bot_credential_or_proof",
  status: 200,
  maxBodyBytes: 64 * 1024,
  request: {
    body: v.object({
      csr: v.string(),
      spiffe_id: v.string(),
      ttl: v.optional(v.number()),
      dns_names: v.optional(v.array(v.string())),
      join: v.optional(joinProofSchema),
    }),
    bodyCheckedByUseCase: true,
  },
  response: v.object({
    spiffe_id: v.string(),
    certificates: v.array(v.string()),
    serial_number: v.string(),
    expires_at: v.string(),
    bundle: v.array(v.string()),
  }),
  successMetric: "X509SvidsIssued",
});

/** `POST /v1/svids/x509/batch`: several X.509-SVIDs for one bot credential, each entry issued or refused on its own. */
export const x509SvidBatchRoute = defineRoute({
  method: "POST",
  path: "/v1/svids/x509/batch",
  auth: "bot_credential",
  status: 200,
  maxBodyBytes: 256 * 1024,
  request: {
    body: v.object({
      entries: v.array(
        v.object({ csr: v.string(), spiffe_id: v.string(), ttl: v.optional(v.number()), dns_names: v.optional(v.array(v.string())) }),
      ),
    }),
    bodyCheckedByUseCase: true,
  },
  response: v.object({
    results: v.array(
      v.union([
        v.object({ spiffe_id: v.string(), certificates: v.array(v.string()), serial_number: v.string(), expires_at: v.string() }),
        v.object({ error: v.object({ code: v.string(), message: v.string(), status: v.number() }) }),
      ]),
    ),
    bundle: v.array(v.string()),
  }),
  successMetric: "X509SvidBatchesIssued",
});

/** `POST /v1/svids/jwt`: a JWT-SVID for one or more audiences. */
export const jwtSvidRoute = defineRoute({
  method: "POST",
  path: "/v1/svids/jwt",
  auth: "bot_credential_or_proof",
  status: 200,
  maxBodyBytes: 64 * 1024,
  request: {
    body: v.object({
      spiffe_id: v.string(),
      audience: v.union([v.string(), v.array(v.string())]),
      ttl: v.optional(v.number()),
      join: v.optional(joinProofSchema),
    }),
    bodyCheckedByUseCase: true,
  },
  response: v.object({ spiffe_id: v.string(), token: v.string(), expires_at: v.string() }),
  successMetric: "JwtSvidsIssued",
});

/** `GET /v1/bundle`: the trust bundle, SPIFFE JSON or (`?format=pem`) PEM. Public. */
export const bundleRoute = defineRoute({
  ...publicGet,
  path: "/v1/bundle",
  request: { query: formatQuery },
  response: { raw: ["application/json", "application/x-pem-file"] },
  headers: BUNDLE_CACHE,
});

/** `GET /.well-known/openid-configuration`: OIDC discovery for JWT-SVIDs. Public. */
export const oidcDiscoveryRoute = defineRoute({
  ...publicGet,
  path: "/.well-known/openid-configuration",
  request: {},
  response: v.object({
    issuer: v.string(),
    jwks_uri: v.string(),
    response_types_supported: v.array(v.string()),
    subject_types_supported: v.array(v.string()),
    id_token_signing_alg_values_supported: v.array(v.string()),
    claims_supported: v.array(v.string()),
  }),
  headers: BUNDLE_CACHE,
});

/** `GET /.well-known/jwks.json`: the JWT-SVID keys as an OIDC JWKS. Public. */
export const oidcJwksRoute = defineRoute({
  ...publicGet,
  path: "/.well-known/jwks.json",
  request: {},
  response: v.object({ keys: v.array(v.object({ kty: v.string(), kid: v.string(), alg: v.string(), use: v.string() })) }),
  headers: BUNDLE_CACHE,
});

/** `GET /v1/crl/{ca_id}`: one CA's CRL, DER or (`?format=pem`) PEM. Public. */
export const crlRoute = defineRoute({
  ...publicGet,
  path: "/v1/crl/{ca_id}",
  request: { params: v.object({ ca_id: v.string() }), query: formatQuery },
  response: { raw: ["application/pkix-crl", "application/x-pem-file"] },
  headers: REVOCATION_CACHE,
});

const revocationEntries = {
  crls: v.array(v.object({ ca_id: v.string(), crl_number: v.number(), next_update: v.string(), crl: v.string() })),
  denied_jwt_svids: v.array(v.object({ jti: v.string(), expires_at: v.string() })),
};

/** `GET /v1/revocations`: every CRL (base64 DER) and the JWT-SVID deny-list. Public. */
export const revocationsRoute = defineRoute({
  ...publicGet,
  path: "/v1/revocations",
  request: {},
  response: v.object(revocationEntries),
  headers: REVOCATION_CACHE,
});

/**
 * `GET /v1/trust`: what an agent polls, in one request: the SPIFFE bundle document (as text), the
 * active X.509 CA's SHA-256 and the revocations of `GET /v1/revocations`. Public.
 */
export const trustStateRoute = defineRoute({
  ...publicGet,
  path: "/v1/trust",
  request: {},
  response: v.object({ bundle: v.string(), active_x509_sha256: v.optional(v.string()), ...revocationEntries }),
  headers: REVOCATION_CACHE,
});

/** The issue function's routes. */
export const ISSUE_ROUTES = [
  x509SvidRoute,
  x509SvidBatchRoute,
  jwtSvidRoute,
  bundleRoute,
  oidcDiscoveryRoute,
  oidcJwksRoute,
  crlRoute,
  revocationsRoute,
  trustStateRoute,
] as const;
