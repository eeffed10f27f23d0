/**
 * client: the HTTP client side of Tessera, typed by the API contract: `IssuerClient` (the agent's
 * and the CLI's one client), an SVID in one round trip with the platform's own proof for workloads
 * that cannot run an agent, and the issuer's refusals as `IssuerApiError` with their stable codes.
 */
export {
  fetchJwtSvidWithProof,
  fetchX509SvidWithProof,
  type IssuedJwtSvid,
  type PlatformProof,
  type SvidWithProofOptions,
  type X509SvidWithKey,
} from "./fetch-svid-with-proof.js";
export { IssuerApiError, issuerApiErrorOf } from "./issuer-api-error.js";
export {
  bundleStateOf,
  IssuerClient,
  isPermanentRefusal,
  pathOf,
  type CallOptions,
  type CredentialResponse,
  type IssuerClientOptions,
  type JwtSvidResponse,
  type RevocationsResponse,
  type TrustStateResponse,
  type X509SvidAsk,
  type X509SvidBatchResponse,
  type X509SvidResponse,
} from "./issuer-client.js";
