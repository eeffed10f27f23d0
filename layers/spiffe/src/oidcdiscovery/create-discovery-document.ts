import type { Bundle } from "../bundle/index.js";
import { createOidcJwks } from "./create-oidc-jwks.js";
import { jwksUriOf } from "./issuer-url.js";

/** The OpenID Provider metadata Tessera publishes: what AWS IAM and GCP read to trust JWT-SVIDs. */
export interface DiscoveryDocument {
  issuer: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  claims_supported: string[];
}

/**
 * The discovery document of `issuerUrl` (OpenID Connect Discovery 1.0, section 3): the issuer,
 * its JWKS URL, and the algorithms of the bundle's JWT keys. Tokens are JWT-SVIDs: `sub` is the
 * SPIFFE ID, the same for every relying party (`public`).
 */
export function createDiscoveryDocument(issuerUrl: string, bundle: Bundle): DiscoveryDocument {
  const algorithms = [...new Set(createOidcJwks(bundle).keys.map((k) => k.alg))].sort();
  return {
    issuer: issuerUrl,
    jwks_uri: jwksUriOf(issuerUrl),
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: algorithms,
    claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti"],
  };
}

/** The discovery document and the JWKS as the compact JSON Tessera serves and publishes. */
export function marshalOidcDocuments(issuerUrl: string, bundle: Bundle): { discovery: string; jwks: string } {
  return { discovery: JSON.stringify(createDiscoveryDocument(issuerUrl, bundle)), jwks: JSON.stringify(createOidcJwks(bundle)) };
}
