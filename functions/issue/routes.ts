import {
  CRL_CONTENT_TYPE,
  RevocationNotFoundError,
  bearerTokenOf,
  binaryResponse,
  encodeCrlPem,
  getRevocationList,
  encodeCertificatePem,
  issueJwtSvidForBot,
  issueX509SvidForBot,
  createOidcJwks,
  createDiscoveryDocument,
  jsonResponse,
  marshalPemBundle,
  marshalSpiffeBundle,
  joinRequestOf,
  optionalBearerTokenOf,
  OIDC_DISCOVERY_PATH,
  OIDC_JWKS_PATH,
  OidcDiscoveryDisabledError,
  textResponse,
  ACTIVE_X509_AUTHORITY_HEADER,
  type IssuerDeps,
  type HttpEvent,
  type Route,
} from "../../layers/spiffe/src/index.js";

/**
 * Who asks: the bot credential of `Authorization: Bearer`, or a platform proof in `join` (a workload
 * without an agent). With neither, the request is refused here, before the use case, like any
 * request without a credential.
 */
function callerOf(event: HttpEvent): { credential?: string; join?: ReturnType<typeof joinRequestOf> } {
  const join = event.json?.join;
  if (join === undefined) return { credential: bearerTokenOf(event) };
  const credential = optionalBearerTokenOf(event);
  return { ...(credential === undefined ? {} : { credential }), join: joinRequestOf(join) };
}

const BUNDLE_CACHE = { "cache-control": "public, max-age=60" };
const REVOCATION_CACHE = { "cache-control": "public, max-age=10" };

/** The issue function's routes: X.509-SVIDs, JWT-SVIDs, the public trust bundle, OIDC discovery, CRLs and the revocation list. */
export function issueRoutes(deps: IssuerDeps): Route[] {
  return [
    {
      routeKey: "POST /v1/svids/x509",
      maxBodyBytes: 64 * 1024,
      handle: async (event) => {
        const body = event.json ?? {};
        const svid = await issueX509SvidForBot(deps, {
          ...callerOf(event),
          csr: body.csr,
          spiffeId: body.spiffe_id,
          ttlSeconds: body.ttl,
          dnsNames: body.dns_names,
        });
        return jsonResponse(200, {
          spiffe_id: svid.spiffeId,
          certificates: svid.chain.map(encodeCertificatePem),
          serial_number: svid.serialNumber,
          expires_at: svid.expiresAt.toISOString(),
          bundle: svid.bundle.map(encodeCertificatePem),
        });
      },
    },
    {
      routeKey: "POST /v1/svids/jwt",
      maxBodyBytes: 64 * 1024,
      handle: async (event) => {
        const body = event.json ?? {};
        const svid = await issueJwtSvidForBot(deps, {
          ...callerOf(event),
          spiffeId: body.spiffe_id,
          audience: body.audience,
          ttlSeconds: body.ttl,
        });
        return jsonResponse(200, { spiffe_id: svid.spiffeId, token: svid.token, expires_at: svid.expiresAt.toISOString() });
      },
    },
    {
      routeKey: "GET /v1/bundle",
      maxBodyBytes: 0,
      handle: async (event) => {
        const [bundle, active] = await Promise.all([deps.authorities.bundle(), deps.authorities.activeX509Sha256()]);
        const headers = active ? { ...BUNDLE_CACHE, [ACTIVE_X509_AUTHORITY_HEADER]: active } : BUNDLE_CACHE;
        if (event.queryStringParameters?.format === "pem") {
          return textResponse(200, marshalPemBundle(bundle), "application/x-pem-file", headers);
        }
        return textResponse(200, marshalSpiffeBundle(bundle), "application/json", headers);
      },
    },
    {
      routeKey: `GET ${OIDC_DISCOVERY_PATH}`,
      maxBodyBytes: 0,
      handle: async () => {
        const issuerUrl = deps.policy.issuerUrl;
        if (issuerUrl === undefined) throw new OidcDiscoveryDisabledError("oidcdiscovery: no issuer URL is configured (TESSERA_ISSUER_URL), so JWT-SVIDs carry no iss");
        return jsonResponse(200, createDiscoveryDocument(issuerUrl, await deps.authorities.bundle()), BUNDLE_CACHE);
      },
    },
    {
      routeKey: `GET ${OIDC_JWKS_PATH}`,
      maxBodyBytes: 0,
      handle: async () => jsonResponse(200, createOidcJwks(await deps.authorities.bundle()), BUNDLE_CACHE),
    },
    {
      routeKey: "GET /v1/crl/{ca_id}",
      maxBodyBytes: 0,
      handle: async (event) => {
        const caId = event.pathParameters?.ca_id?.replace(/\.crl$/, "");
        const list = await getRevocationList(deps.store, deps.clock.now().getTime());
        const crl = list.crls.find((c) => c.caId === caId);
        if (!crl) throw new RevocationNotFoundError("revocation: no CRL for that CA (it has signed no revoked SVID)");
        const der = Buffer.from(crl.der, "base64");
        if (event.queryStringParameters?.format === "pem") return textResponse(200, encodeCrlPem(der), "application/x-pem-file", REVOCATION_CACHE);
        return binaryResponse(200, der, CRL_CONTENT_TYPE, REVOCATION_CACHE);
      },
    },
    {
      routeKey: "GET /v1/revocations",
      maxBodyBytes: 0,
      handle: async () => {
        const list = await getRevocationList(deps.store, deps.clock.now().getTime());
        return jsonResponse(
          200,
          {
            crls: list.crls.map((crl) => ({ ca_id: crl.caId, crl_number: crl.crlNumber, next_update: new Date(crl.nextUpdate).toISOString(), crl: crl.der })),
            denied_jwt_svids: list.deniedJwts.map((d) => ({ jti: d.jti, expires_at: new Date(d.expiresAt).toISOString() })),
          },
          REVOCATION_CACHE,
        );
      },
    },
  ];
}
