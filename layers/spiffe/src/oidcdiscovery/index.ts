/**
 * oidcdiscovery: JWT-SVIDs as OIDC ID tokens, so AWS IAM OIDC providers and GCP Workload Identity
 * Federation trust them directly. With an issuer URL configured every JWT-SVID carries it in `iss`;
 * `createDiscoveryDocument` is `/.well-known/openid-configuration` and `createOidcJwks` the JWK Set
 * at its `jwks_uri`, both built from the trust bundle's JWT keys (prepared, active and old), served
 * by the API and published to S3 beside `bundle.json`.
 *
 * Exports: `parseIssuerUrl`, `isLoopbackHost`, `jwksUriOf`, `OIDC_DISCOVERY_PATH`, `OIDC_JWKS_PATH`,
 * `createDiscoveryDocument`, `marshalOidcDocuments`, `DiscoveryDocument`, `createOidcJwks`,
 * `OidcJwks`, `OidcJwk`.
 */
export { createDiscoveryDocument, marshalOidcDocuments, type DiscoveryDocument } from "./create-discovery-document.js";
export { createOidcJwks, type OidcJwk, type OidcJwks } from "./create-oidc-jwks.js";
export { isLoopbackHost, jwksUriOf, OIDC_DISCOVERY_PATH, OIDC_JWKS_PATH, parseIssuerUrl } from "./issuer-url.js";
