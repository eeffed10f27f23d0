import {
  encodeCertificatePem,
  encodeCrlPem,
  marshalPemBundle,
  marshalSpiffeBundle,
  OidcDiscoveryDisabledError,
  RevocationNotFoundError,
} from "#tessera/core";
import {
  ACTIVE_X509_AUTHORITY_HEADER,
  bearerTokenOf,
  binaryResponse,
  bindRoute,
  bundleRoute,
  crlRoute,
  type HttpEvent,
  joinRequestOf,
  jwtSvidRoute,
  oidcDiscoveryRoute,
  oidcJwksRoute,
  optionalBearerTokenOf,
  revocationsRoute,
  type Route,
  trustStateRoute,
  textResponse,
  x509SvidBatchRoute,
  x509SvidRoute,
} from "#tessera/contract";
import {
  createDiscoveryDocument,
  createOidcJwks,
  getRevocationList,
  issueJwtSvidForBot,
  type IssuerDeps,
  issueX509SvidBatchForBot,
  issueX509SvidForBot,
  type IssueX509SvidForBotResult,
  type RevocationList,
  type StoreFor,
} from "#tessera/issuer";
import { CRL_CONTENT_TYPE } from "#tessera/aws";
import type { ISSUE_FUNCTION_STORE } from "./store-parts.js";

/**
 * Who asks: the bot credential of `Authorization: Bearer`, or a platform proof in `join` (a workload
 * without an agent). With neither, the request is refused here, before the use case, like any
 * request without a credential.
 */
function callerOf(body: Record<string, unknown>, event: HttpEvent): { credential?: string; join?: ReturnType<typeof joinRequestOf> } {
  const join = body.join;
  if (join === undefined) return { credential: bearerTokenOf(event) };
  const credential = optionalBearerTokenOf(event);
  return { ...(credential === undefined ? {} : { credential }), join: joinRequestOf(join) };
}

/** An issued X.509-SVID as the API sends it: PEM, the leaf first. */
function x509SvidJson(svid: Omit<IssueX509SvidForBotResult, "bundle">) {
  return {
    spiffe_id: svid.spiffeId,
    certificates: svid.chain.map(encodeCertificatePem),
    serial_number: svid.serialNumber,
    expires_at: svid.expiresAt.toISOString(),
  };
}

/** The revocations as `GET /v1/revocations` sends them: CRLs as base64 DER, the JWT-SVID deny-list. */
function revocationsJson(list: RevocationList) {
  return {
    crls: list.crls.map((crl) => ({
      ca_id: crl.caId,
      crl_number: crl.crlNumber,
      next_update: new Date(crl.nextUpdate).toISOString(),
      crl: crl.der,
    })),
    denied_jwt_svids: list.deniedJwts.map((d) => ({ jti: d.jti, expires_at: new Date(d.expiresAt).toISOString() })),
  };
}

/** The issue function's routes: X.509-SVIDs, JWT-SVIDs, the public trust bundle, OIDC discovery, CRLs and the revocation list. */
export function issueRoutes(deps: IssuerDeps<StoreFor<typeof ISSUE_FUNCTION_STORE>>): Route[] {
  const bundleHeaders = { ...bundleRoute.headers };
  const revocationHeaders = { ...crlRoute.headers };
  // A CA certificate in the bundle is the same bytes for every SVID until the next journal read: its PEM is made once.
  const authorityPems = new WeakMap<Uint8Array, string>();
  const authorityPemOf = (der: Uint8Array): string => {
    let pem = authorityPems.get(der);
    if (pem === undefined) authorityPems.set(der, (pem = encodeCertificatePem(der)));
    return pem;
  };
  return [
    bindRoute(x509SvidRoute, async ({ body }, event) => {
      const svid = await issueX509SvidForBot(deps, {
        ...callerOf(body, event),
        csr: body.csr,
        spiffeId: body.spiffe_id,
        ttlSeconds: body.ttl,
        dnsNames: body.dns_names,
      });
      return { ...x509SvidJson(svid), bundle: svid.bundle.map(authorityPemOf) };
    }),
    bindRoute(x509SvidBatchRoute, async ({ body }, event) => {
      const { outcomes, bundle } = await issueX509SvidBatchForBot(deps, { credential: bearerTokenOf(event), entries: body.entries });
      return {
        results: outcomes.map((o) => ("error" in o ? o : x509SvidJson(o.svid))),
        bundle: bundle.map(authorityPemOf),
      };
    }),
    bindRoute(jwtSvidRoute, async ({ body }, event) => {
      const svid = await issueJwtSvidForBot(deps, {
        ...callerOf(body, event),
        spiffeId: body.spiffe_id,
        audience: body.audience,
        ttlSeconds: body.ttl,
      });
      return { spiffe_id: svid.spiffeId, token: svid.token, expires_at: svid.expiresAt.toISOString() };
    }),
    bindRoute(bundleRoute, async ({ query }) => {
      const [bundle, active] = await Promise.all([deps.authorities.bundle(), deps.authorities.activeX509Sha256()]);
      const headers = active ? { ...bundleHeaders, [ACTIVE_X509_AUTHORITY_HEADER]: active } : bundleHeaders;
      if (query.format === "pem") return textResponse(200, marshalPemBundle(bundle), "application/x-pem-file", headers);
      return textResponse(200, marshalSpiffeBundle(bundle), "application/json", headers);
    }),
    bindRoute(oidcDiscoveryRoute, async () => {
      const issuerUrl = deps.policy.issuerUrl;
      if (issuerUrl === undefined)
        throw new OidcDiscoveryDisabledError("oidcdiscovery: no issuer URL is configured (TESSERA_ISSUER_URL), so JWT-SVIDs carry no iss");
      return createDiscoveryDocument(issuerUrl, await deps.authorities.bundle());
    }),
    bindRoute(oidcJwksRoute, async () => createOidcJwks(await deps.authorities.bundle())),
    bindRoute(crlRoute, async ({ params, query }) => {
      const caId = params.ca_id.replace(/\.crl$/, "");
      const list = await getRevocationList(deps.store, deps.clock.now().getTime());
      const crl = list.crls.find((c) => c.caId === caId);
      if (!crl) throw new RevocationNotFoundError("revocation: no CRL for that CA (it has signed no revoked SVID)");
      const der = Buffer.from(crl.der, "base64");
      if (query.format === "pem") return textResponse(200, encodeCrlPem(der), "application/x-pem-file", revocationHeaders);
      return binaryResponse(200, der, CRL_CONTENT_TYPE, revocationHeaders);
    }),
    bindRoute(revocationsRoute, async () => revocationsJson(await getRevocationList(deps.store, deps.clock.now().getTime()))),
    bindRoute(trustStateRoute, async () => {
      const [bundle, active, list] = await Promise.all([
        deps.authorities.bundle(),
        deps.authorities.activeX509Sha256(),
        getRevocationList(deps.store, deps.clock.now().getTime()),
      ]);
      return { bundle: marshalSpiffeBundle(bundle), ...(active ? { active_x509_sha256: active } : {}), ...revocationsJson(list) };
    }),
  ];
}
