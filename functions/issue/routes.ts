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
  jsonResponse,
  marshalPemBundle,
  marshalSpiffeBundle,
  textResponse,
  type IssuerDeps,
  type Route,
} from "../../layers/spiffe/src/index.js";

const BUNDLE_CACHE = { "cache-control": "public, max-age=60" };
const REVOCATION_CACHE = { "cache-control": "public, max-age=10" };

/** The issue function's routes: X.509-SVIDs, JWT-SVIDs, the public trust bundle, CRLs and the revocation list. */
export function issueRoutes(deps: IssuerDeps): Route[] {
  return [
    {
      routeKey: "POST /v1/svids/x509",
      maxBodyBytes: 64 * 1024,
      handle: async (event) => {
        const body = event.json ?? {};
        const svid = await issueX509SvidForBot(deps, {
          credential: bearerTokenOf(event),
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
      maxBodyBytes: 16 * 1024,
      handle: async (event) => {
        const body = event.json ?? {};
        const svid = await issueJwtSvidForBot(deps, {
          credential: bearerTokenOf(event),
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
        const bundle = await deps.authorities.bundle();
        if (event.queryStringParameters?.format === "pem") {
          return textResponse(200, marshalPemBundle(bundle), "application/x-pem-file", BUNDLE_CACHE);
        }
        return textResponse(200, marshalSpiffeBundle(bundle), "application/json", BUNDLE_CACHE);
      },
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
